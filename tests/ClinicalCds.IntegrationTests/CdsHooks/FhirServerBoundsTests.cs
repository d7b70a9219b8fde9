using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using ClinicalCds.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace ClinicalCds.IntegrationTests.CdsHooks;

/// <summary>
/// Issue 33 item 9 over real HTTP: a trusted client cannot make the server connect anywhere. Unlisted fhirServers are
/// followed only at public addresses — a loopback server or the cloud metadata address is refused before any
/// connection, so the answer cannot tell an open port from a closed one — and a client's own list admits what it covers
/// and nothing beside it.
/// </summary>
[Collection(CdsServer.Name)]
public sealed class FhirServerBoundsTests(CdsServerFixture server)
{
    [Fact]
    public async Task Unlisted_loopback_private_and_link_local_fhirServers_are_refused_before_any_connection_and_a_clients_list_admits_only_what_it_covers()
    {
        // An internal FHIR server that counts what reaches it.
        var hits = 0;
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        await using var internalServer = builder.Build();
        internalServer.Map("/{**path}", () =>
        {
            Interlocked.Increment(ref hits);
            return Results.StatusCode(404);
        });
        await internalServer.StartAsync();
        var internalUrl = internalServer.Urls.First();

        // No list at all (the fixture's own entry emptied): public addresses only.
        var (open, openUrl) = await server.StartAnotherAsync("--CdsHooks:FhirServers:0=");
        await using (open)
        {
            foreach (var fhirServer in new[] { $"{internalUrl}/fhir", "http://169.254.169.254/latest/meta-data", "http://10.255.255.1:8080/fhir", "http://[::1]:9/fhir" })
            {
                var (status, text) = await PostAsync(openUrl, fhirServer);
                Assert.True(status == HttpStatusCode.PreconditionFailed, $"{fhirServer}: {(int)status} {text}");
                Assert.Contains("the fhirServer's address is not public (loopback, private, link-local or reserved) and the configuration does not list it", text, StringComparison.Ordinal);
            }

            Assert.Equal(0, hits);
        }

        // The EHR's own list names the internal server's FHIR base: followed there, and nowhere beside it.
        var (listed, listedUrl) = await server.StartAnotherAsync("--CdsHooks:FhirServers:0=", $"--CdsHooks:Clients:0:FhirServers:0={internalUrl}/fhir");
        await using (listed)
        {
            var (status, text) = await PostAsync(listedUrl, $"{internalUrl}/fhir");
            Assert.Equal(HttpStatusCode.PreconditionFailed, status);
            Assert.Contains("the fhirServer answered 404", text, StringComparison.Ordinal);
            Assert.True(hits > 0);

            var before = hits;
            foreach (var fhirServer in new[] { $"{internalUrl}/admin", $"{internalUrl}/fhirx", "http://169.254.169.254/latest/meta-data" })
            {
                (status, text) = await PostAsync(listedUrl, fhirServer);
                Assert.True(status == HttpStatusCode.PreconditionFailed, $"{fhirServer}: {(int)status} {text}");
                Assert.Contains("the fhirServer is not among the FHIR servers configured for this client", text, StringComparison.Ordinal);
            }

            Assert.Equal(before, hits);
        }
    }

    private async Task<(HttpStatusCode Status, string Text)> PostAsync(Uri baseUrl, string fhirServer)
    {
        var body = new JsonObject
        {
            ["hook"] = "encounter-discharge",
            ["hookInstance"] = Guid.NewGuid().ToString(),
            ["fhirServer"] = fhirServer,
            ["fhirAuthorization"] = new JsonObject { ["access_token"] = "ehr-token", ["token_type"] = "Bearer", ["expires_in"] = 300, ["scope"] = "patient/*.read", ["subject"] = "cds" },
            ["context"] = new JsonObject { ["userId"] = "Practitioner/1", ["patientId"] = "someone", ["encounterId"] = "stay" },
        };
        using var client = new HttpClient { BaseAddress = baseUrl };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/cds-services/readmission-risk") { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + server.Ehr.Token(server.Audience("/cds-services/readmission-risk")));
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        // An OperationOutcome's diagnostics, as a person reads them.
        return (response.StatusCode, JsonNode.Parse(text)?["issue"] is JsonArray issues ? string.Join("\n", issues.Select(i => (string?)i!["diagnostics"])) : text);
    }
}
