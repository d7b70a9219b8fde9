using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ClinicalCds.Application.Monitoring.CheckResultFeed;
using ClinicalCds.IntegrationTests.Infrastructure;
using Mediator;
using Microsoft.Extensions.DependencyInjection;

namespace ClinicalCds.IntegrationTests.Monitoring;

/// <summary>
/// Issue 32 item 5: a feed that sends a tenth of its hemoglobin in g/L under g/dL. Those results are kept as received and
/// never read as the patient's (154 "g/dL" is no living patient's), and the nightly result-feed check names the code,
/// the count and the unit, degrading readiness — where the drift thresholds would see only a slightly higher share not
/// recorded.
/// </summary>
public sealed class ResultFeedTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private static JsonObject Entry(JsonObject resource) => new()
    {
        ["resource"] = resource,
        ["request"] = new JsonObject { ["method"] = "PUT", ["url"] = $"{resource["resourceType"]}/{resource["id"]}" },
    };

    private static JsonObject Hemoglobin(int k, double value, DateTimeOffset at) => new()
    {
        ["resourceType"] = "Observation",
        ["id"] = $"feed-hb-{k}",
        ["status"] = "final",
        ["code"] = new JsonObject { ["coding"] = new JsonArray(new JsonObject { ["system"] = "http://loinc.org", ["code"] = "718-7" }) },
        ["subject"] = new JsonObject { ["reference"] = "Patient/feed-patient" },
        ["effectiveDateTime"] = at.ToString("O", CultureInfo.InvariantCulture),
        ["valueQuantity"] = new JsonObject { ["value"] = value, ["unit"] = "g/dL", ["system"] = "http://unitsofmeasure.org", ["code"] = "g/dL" },
    };

    [Fact]
    public async Task A_tenth_of_hemoglobin_in_g_per_l_labelled_g_per_dl_is_kept_unread_and_faults_the_feed()
    {
        var now = DateTimeOffset.UtcNow;
        var entries = new JsonArray(Entry(new JsonObject { ["resourceType"] = "Patient", ["id"] = "feed-patient", ["gender"] = "female", ["birthDate"] = "1950-01-01" }));
        for (var k = 0; k < 100; k++)
        {
            var grams = 10 + (k % 50 / 10.0); // 10.0 to 14.9 g/dL
            entries.Add(Entry(Hemoglobin(k, k % 10 == 0 ? grams * 10 : grams, now.AddHours(-(k + 1) * 6))));
        }

        using var client = api.CreateClient();
        var bundle = new JsonObject { ["resourceType"] = "Bundle", ["type"] = "transaction", ["entry"] = entries };
        using (var posted = await client.PostAsync("/fhir", new StringContent(bundle.ToJsonString(), Encoding.UTF8, "application/fhir+json")))
        {
            Assert.True(posted.IsSuccessStatusCode, await posted.Content.ReadAsStringAsync());
        }

        // Kept as received, never read as the patient's: 154 "g/dL" has no canonical value.
        var kept = await api.Database.ScalarAsync(
            "SELECT count(*) FROM observations WHERE patient_id = 'feed-patient' AND code = '718-7' AND value IS NULL AND original_value >= 100 AND original_unit = 'g/dL'");
        Assert.Equal(10, kept);

        await using var scope = api.Services.CreateAsyncScope();
        var check = await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new CheckResultFeedCommand(now));
        var hemoglobin = Assert.Single(check.Feeds, f => f.Code == "718-7");
        Assert.Equal((100, 10, "g/dL"), (hemoglobin.Results, hemoglobin.Unusable, string.Join(", ", hemoglobin.UnusableUnits)));
        Assert.Equal(["718-7"], check.Alarmed);

        using var anonymous = api.CreateAnonymousClient();
        using var ready = JsonDocument.Parse(await anonymous.GetStringAsync("/health/ready"));
        var feed = ready.RootElement.GetProperty("checks").GetProperty("result-feed");
        Assert.Equal("Degraded", feed.GetProperty("status").GetString());
        Assert.Contains("LOINC 718-7: 10 of 100 (g/dL)", feed.GetProperty("description").GetString(), StringComparison.Ordinal);

        using var monitoring = await client.GetAsync("/api/admin/monitoring");
        Assert.Equal(HttpStatusCode.OK, monitoring.StatusCode);
        using var json = JsonDocument.Parse(await monitoring.Content.ReadAsStringAsync());
        Assert.Equal("718-7", json.RootElement.GetProperty("resultFeed").GetProperty("alarmed")[0].GetString());

        // The feed corrected (each result re-sent in its own unit): the next check is quiet.
        var corrected = new JsonArray([.. Enumerable.Range(0, 100).Where(k => k % 10 == 0).Select(k =>
        {
            var resource = Hemoglobin(k, 10 + (k % 50 / 10.0) * 10, now.AddHours(-(k + 1) * 6));
            resource["valueQuantity"]!["unit"] = "g/L";
            resource["valueQuantity"]!["code"] = "g/L";
            return (JsonNode)Entry(resource);
        })]);
        using (var fixedFeed = await client.PostAsync("/fhir", new StringContent(
            new JsonObject { ["resourceType"] = "Bundle", ["type"] = "transaction", ["entry"] = corrected }.ToJsonString(), Encoding.UTF8, "application/fhir+json")))
        {
            Assert.True(fixedFeed.IsSuccessStatusCode, await fixedFeed.Content.ReadAsStringAsync());
        }

        var after = await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new CheckResultFeedCommand(now));
        Assert.Empty(after.Alarmed);
        Assert.Equal(0, Assert.Single(after.Feeds, f => f.Code == "718-7").Unusable);
    }
}
