using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ClinicalCds.IntegrationTests.Infrastructure;
using CsCheck;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;

namespace ClinicalCds.IntegrationTests.Fhir;

/// <summary>
/// Property-based bad input (CsCheck): thousands of hook requests, FHIR Bundles and NDJSON lines, mutated from valid
/// ones (the specification's own example request among them), sent to the real application. Never a 5xx; every
/// rejection is an OperationOutcome that says why; every valid part is kept. A failure prints the seed that replays it.
/// </summary>
public sealed class MalformedInputPropertyTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    /// <summary>One edit of a JSON document: what to do, where (a node index or a text position), and with what.</summary>
    private sealed record Mutation(int Kind, int Where, double At, string Text);

    private static readonly Gen<Mutation> OneMutation = Gen.Select(Gen.Int[0, 6], Gen.Int[0, 10_000], Gen.Double[0, 1], Gen.String[0, 12],
        (kind, where, at, text) => new Mutation(kind, where, at, text));

    private static readonly Gen<Mutation[]> Mutations = OneMutation.Array[1, 4];

    /// <summary>Applies the edits: remove a node, replace it with a scalar, an empty object or array, rename a property, cut or splice the text.</summary>
    private static byte[] Mutate(JsonNode document, Mutation[] mutations)
    {
        var root = document.DeepClone();
        string? text = null;
        foreach (var m in mutations)
        {
            if (text is not null || m.Kind >= 5)
            {
                text ??= root.ToJsonString();
                var at = (int)(m.At * text.Length);
                // Some splices are an unpaired surrogate escape: valid JSON inside a string, yet not text.
                text = m.Kind == 5 ? text[..at] : text[..at] + (m.Where % 7 == 0 ? "\\udc00" : m.Text) + text[at..];
                continue;
            }

            var nodes = Descendants(root).ToList();
            var node = nodes[m.Where % nodes.Count];
            var parent = node.Parent;
            switch (m.Kind)
            {
                case 0 when parent is JsonObject o:
                    o.Remove(node.GetPropertyName());
                    break;
                case 0 when parent is JsonArray a:
                    a.Remove(node);
                    break;
                case 1 when parent is not null:
                    Replace(node, m.Where % 3 == 0 ? JsonValue.Create(m.Text) : m.Where % 3 == 1 ? JsonValue.Create(m.At * 1e6 - 5e5) : null);
                    break;
                case 2 when parent is not null:
                    Replace(node, m.Where % 2 == 0 ? new JsonObject() : new JsonArray());
                    break;
                case 3 when parent is JsonObject o:
                    var name = node.GetPropertyName();
                    o.Remove(name);
                    o[name + m.Text] = node;
                    break;
                case 4 when node is JsonObject o:
                    o[m.Text] = JsonValue.Create(m.Where);
                    break;
            }
        }

        return Encoding.UTF8.GetBytes(text ?? root.ToJsonString());
    }

    private static void Replace(JsonNode node, JsonNode? value)
    {
        if (node.Parent is JsonObject o)
        {
            o[node.GetPropertyName()] = value;
        }
        else if (node.Parent is JsonArray a)
        {
            a[node.GetElementIndex()] = value;
        }
    }

    private static IEnumerable<JsonNode> Descendants(JsonNode node)
    {
        yield return node;
        var children = node switch
        {
            JsonObject o => o.Select(p => p.Value),
            JsonArray a => a.AsEnumerable(),
            _ => [],
        };
        foreach (var child in children.OfType<JsonNode>())
        {
            foreach (var descendant in Descendants(child))
            {
                yield return descendant;
            }
        }
    }

    private readonly LogCapture _logs = new();

    /// <summary>The application with its errors captured, so that a 5xx comes with the exception that caused it.</summary>
    private WebApplicationFactory<ClinicalCds.Api.Fhir.FhirResult> Server(bool requireAuthentication = true) => api.WithWebHostBuilder(host => host
        .UseSetting("CdsHooks:RequireAuthentication", requireAuthentication ? "true" : "false")
        .ConfigureLogging(logging => logging.AddProvider(_logs)));

    private async Task AssertExplainedAsync(HttpResponseMessage response, string what)
    {
        var status = (int)response.StatusCode;
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status < 500, $"{what}: {status} {body}\n{string.Join("\n", _logs.Lines.Where(l => l.StartsWith("Error", StringComparison.Ordinal)).Take(3))}");
        if (status >= 400)
        {
            using var outcome = JsonDocument.Parse(body);
            Assert.Equal("OperationOutcome", outcome.RootElement.GetProperty("resourceType").GetString());
            Assert.All(outcome.RootElement.GetProperty("issue").EnumerateArray(),
                issue => Assert.False(string.IsNullOrWhiteSpace(issue.GetProperty("diagnostics").GetString())));
        }
    }

    /// <summary>The specification's patient-view example, without its (unreachable) fhirServer, with complete prefetch.</summary>
    private static JsonObject HookRequest()
    {
        var request = JsonNode.Parse(File.ReadAllText(Path.Combine(Fixtures.Root, "cds-hooks", "request-patient-view.json")))!.AsObject();
        request.Remove("fhirServer");
        request.Remove("fhirAuthorization");
        var patient = request["prefetch"]!["patientToGreet"]!.DeepClone();
        JsonObject Searchset(params JsonNode[] resources)
        {
            var bundle = new JsonObject { ["resourceType"] = "Bundle", ["type"] = "searchset" };
            if (resources.Length > 0)
            {
                // FHIR JSON has no empty arrays: an empty searchset has no entry at all.
                bundle["entry"] = new JsonArray(resources.Select(r => (JsonNode)new JsonObject { ["resource"] = r }).ToArray());
            }

            return bundle;
        }
        request["prefetch"] = new JsonObject
        {
            ["patient"] = patient,
            ["encounters"] = Searchset(JsonNode.Parse("""
                {"resourceType":"Encounter","id":"89284","status":"in-progress","class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"IMP"},
                 "subject":{"reference":"Patient/1288992"},"period":{"start":"2026-11-20T08:00:00Z"}}
                """)!),
            ["conditions"] = Searchset(),
            ["observations"] = Searchset(JsonNode.Parse("""
                {"resourceType":"Observation","id":"o1","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"8867-4"}]},
                 "subject":{"reference":"Patient/1288992"},"effectiveDateTime":"2026-11-21T08:00:00Z","valueQuantity":{"value":118,"unit":"/min","system":"http://unitsofmeasure.org","code":"/min"}}
                """)!),
            ["procedures"] = null,
            ["medications"] = null,
        };
        return request;
    }

    [Fact]
    public async Task Thousands_of_mutated_hook_requests_never_get_a_5xx_and_every_refusal_is_explained()
    {
        await using var server = Server(requireAuthentication: false);
        using var client = server.CreateClient();
        var valid = HookRequest();
        using (var baseline = await client.PostAsync("/cds-services/patient-risk-summary", new ByteArrayContent(Encoding.UTF8.GetBytes(valid.ToJsonString()))))
        {
            Assert.True(baseline.StatusCode == HttpStatusCode.OK, await baseline.Content.ReadAsStringAsync());
        }

        var services = new[] { "patient-risk-summary", "readmission-risk", "deterioration-risk" };
        await Gen.Select(Mutations, Gen.Int[0, 2]).SampleAsync(async (mutations, service) =>
        {
            using var content = new ByteArrayContent(Mutate(valid, mutations));
            content.Headers.ContentType = new("application/json");
            using var response = await client.PostAsync($"/cds-services/{services[service]}", content);
            await AssertExplainedAsync(response, $"{services[service]} {string.Join(",", mutations.AsEnumerable())}");
        }, iter: 2000, threads: 2);
    }

    private static JsonObject Bundle(string prefix) => JsonNode.Parse($$$"""
        {"resourceType":"Bundle","type":"batch","entry":[
          {"fullUrl":"urn:uuid:{{{prefix}}}-p","resource":{"resourceType":"Patient","id":"{{{prefix}}}-p","gender":"female","birthDate":"1950-04-01",
            "name":[{"family":"Fuzz","given":["Ada"]}]},"request":{"method":"PUT","url":"Patient/{{{prefix}}}-p"}},
          {"resource":{"resourceType":"Encounter","id":"{{{prefix}}}-e","status":"finished","class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"IMP"},
            "subject":{"reference":"urn:uuid:{{{prefix}}}-p"},"period":{"start":"2026-01-02T03:00:00Z","end":"2026-01-05T03:00:00Z"}},"request":{"method":"PUT","url":"Encounter/{{{prefix}}}-e"}},
          {"resource":{"resourceType":"Observation","id":"{{{prefix}}}-o","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"2160-0"}]},
            "subject":{"reference":"urn:uuid:{{{prefix}}}-p"},"effectiveDateTime":"2026-01-03T03:00:00Z",
            "valueQuantity":{"value":132.6,"unit":"umol/L","system":"http://unitsofmeasure.org","code":"umol/L"}},"request":{"method":"PUT","url":"Observation/{{{prefix}}}-o"}}
        ]}
        """)!.AsObject();

    [Fact]
    public async Task Mutated_batch_bundles_never_get_a_5xx_and_every_entry_reported_stored_can_be_read_back()
    {
        await using var server = Server();
        using var client = server.CreateClient();
        var iteration = 0;
        await Mutations.SampleAsync(async mutations =>
        {
            var prefix = $"bf{Interlocked.Increment(ref iteration)}";
            using var content = new ByteArrayContent(Mutate(Bundle(prefix), mutations));
            content.Headers.ContentType = new("application/fhir+json");
            using var response = await client.PostAsync("/fhir", content);
            await AssertExplainedAsync(response, string.Join(",", mutations.AsEnumerable()));
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return;
            }

            using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var entries = answer.RootElement.TryGetProperty("entry", out var list) ? list.EnumerateArray().ToList() : [];
            foreach (var entry in entries)
            {
                Assert.True(entry.TryGetProperty("response", out var result), $"an entry without a response: {answer.RootElement}");
                if (result.GetProperty("status").GetString()!.StartsWith('2'))
                {
                    // Stored means readable: the location names the version that was written.
                    using var read = await client.GetAsync("/fhir/" + result.GetProperty("location").GetString());
                    Assert.Equal(HttpStatusCode.OK, read.StatusCode);
                }
                else
                {
                    Assert.True(result.TryGetProperty("outcome", out _), $"entry refused without an outcome: {entry}");
                }
            }
        }, iter: 300, threads: 2);
    }

    /// <summary>A line that is certainly invalid: not JSON, not an object, no resourceType, an unknown type, or a resource with no id.</summary>
    private static readonly Gen<string> BadLine = Gen.OneOf(
        Gen.String[1, 30].Select(s => "~" + s.Replace('\n', ' ').Replace('\r', ' ')),
        Gen.Int.Select(i => $"[{i}]"),
        Gen.String[0, 20].Select(s => JsonSerializer.Serialize(new { note = s })),
        Gen.Int.Select(i => $$"""{"resourceType":"Frobnicator","id":"f{{i}}"}"""),
        Gen.Int.Select(i => $$"""{"resourceType":"Patient","gender":"female","birthDate":"1950-0{{Math.Abs(i % 9) + 1}}-01"}"""));

    [Fact]
    public async Task NDJSON_with_bad_lines_among_good_ones_keeps_every_good_line_and_names_every_bad_one()
    {
        await using var server = Server();
        using var client = server.CreateClient();
        var body = 0;
        await Gen.Select(Gen.Bool.Array[5, 40], BadLine.Array[40, 40]).SampleAsync(async (goodness, bad) =>
        {
            var batch = Interlocked.Increment(ref body);
            var lines = goodness.Select((good, i) => good
                ? $$"""{"resourceType":"Patient","id":"nd{{batch}}-{{i}}","gender":"male","birthDate":"1960-02-02"}"""
                : bad[i]).ToList();
            using var content = new StringContent(string.Join("\n", lines), Encoding.UTF8, "application/fhir+ndjson");
            using var response = await client.PostAsync("/fhir/$import", content);
            var text = await response.Content.ReadAsStringAsync();
            // 200 with counts; 400 when not one line could be kept — an OperationOutcome naming every line either way.
            Assert.True(response.StatusCode == (goodness.Any(g => g) ? HttpStatusCode.OK : HttpStatusCode.BadRequest), text);

            // Every bad line is named by its number; every good one is stored.
            var badNumbers = goodness.Select((good, i) => (good, number: i + 1)).Where(l => !l.good).Select(l => l.number).ToList();
            foreach (var number in badNumbers)
            {
                Assert.Contains($"line {number}", text, StringComparison.OrdinalIgnoreCase);
            }

            foreach (var (good, i) in goodness.Select((g, i) => (g, i)).Where(l => l.g))
            {
                using var read = await client.GetAsync($"/fhir/Patient/nd{batch}-{i}");
                Assert.Equal(HttpStatusCode.OK, read.StatusCode);
            }
        }, iter: 150, threads: 2);
    }
}
