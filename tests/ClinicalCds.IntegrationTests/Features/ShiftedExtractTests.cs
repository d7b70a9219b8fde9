using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ClinicalCds.Application.Features.GetCoverage;
using ClinicalCds.Domain.Risks;
using Mediator;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace ClinicalCds.IntegrationTests.Features;

/// <summary>
/// Issue 30 item 5 on real data: the MIMIC-IV demo's dates are shifted into the 2100s, so against today's clock every
/// stay lies in the future. A validation deployment pins the instant it judges against (Scoring:AsOf) and the extract
/// is scored end to end — hooks included; a coverage report that found no scoring target says so instead of claiming
/// that every code maps. The discharge used is found here in the raw NDJSON.
/// </summary>
[Collection(MimicStoreFixture.Collection)]
public sealed class ShiftedExtractTests(MimicStoreFixture mimic)
{
    /// <summary>The last hospital admission of the extract that ended (not an observation stay), from the raw resources.</summary>
    private (string Patient, string Encounter, DateTimeOffset End) LastDischarge() =>
        mimic.Resources["Encounter"]
            .Where(e => e.TryGetProperty("identifier", out var ids)
                && ids.EnumerateArray().Any(i => i.GetProperty("system").GetString()!.EndsWith("/encounter-hosp", StringComparison.Ordinal))
                && e.GetProperty("class").GetProperty("code").GetString() != "OBSENC"
                && e.TryGetProperty("period", out var p) && p.TryGetProperty("end", out _))
            .Select(e => (
                Patient: e.GetProperty("subject").GetProperty("reference").GetString()!.Split('/')[1],
                Encounter: e.GetProperty("id").GetString()!,
                End: DateTimeOffset.Parse(e.GetProperty("period").GetProperty("end").GetString()!, System.Globalization.CultureInfo.InvariantCulture)))
            .MaxBy(e => e.End);

    private WebApplicationFactory<ClinicalCds.Api.Fhir.FhirResult> Server(DateTimeOffset? judgedAt) =>
        mimic.Api.WithWebHostBuilder(b =>
        {
            b.UseSetting("CdsHooks:RequireAuthentication", "false").UseSetting("CdsHooks:StoreFallback", "true");
            if (judgedAt is { } at)
            {
                b.UseSetting("Scoring:AsOf", at.ToString("O"));
            }
        });

    private static async Task<(HttpStatusCode Status, JsonNode? Body)> DischargeHookAsync(HttpClient client, string patient, string encounter)
    {
        var request = new JsonObject
        {
            ["hook"] = "encounter-discharge", ["hookInstance"] = Guid.NewGuid().ToString(),
            ["context"] = new JsonObject { ["userId"] = "Practitioner/validation", ["patientId"] = patient, ["encounterId"] = encounter },
        };
        using var response = await client.PostAsync("/cds-services/readmission-risk", new StringContent(request.ToJsonString(), Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    [Fact]
    public async Task A_hook_on_a_shifted_extract_is_scored_at_the_pinned_instant_and_refused_against_the_wall_clock()
    {
        var (patient, encounter, end) = LastDischarge();
        Assert.True(end.Year > 2100, $"the extract's last discharge is {end:O}");

        await using (var live = Server(null))
        {
            var (status, body) = await DischargeHookAsync(live.CreateClient(), patient, encounter);
            Assert.Equal(HttpStatusCode.PreconditionFailed, status);
            Assert.True(body!.ToJsonString().Contains("not in the patient", StringComparison.Ordinal), body.ToJsonString());
        }

        await using var pinned = Server(end.AddHours(1));
        var (pinnedStatus, answer) = await DischargeHookAsync(pinned.CreateClient(), patient, encounter);
        Assert.Equal(HttpStatusCode.OK, pinnedStatus);
        var card = answer!["cards"]!.AsArray().Single()!;
        Assert.Contains("30-day readmission", (string)card["summary"]!, StringComparison.Ordinal);
        // Predicted at the discharge, in the extract's own time.
        Assert.Contains($"as of {end.UtcDateTime:yyyy-MM-dd HH:mm} UTC", (string)card["detail"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Coverage_that_found_no_scoring_target_says_so_and_with_the_extract_s_end_counts_its_discharges()
    {
        var (_, _, end) = LastDischarge();
        using var scope = mimic.Api.Services.CreateScope();
        var mediator = scope.ServiceProvider.GetRequiredService<IMediator>();

        var today = await mediator.Send(new GetCoverageQuery(RiskCatalog.Readmission, DateTimeOffset.UtcNow));
        Assert.Equal(0, today.Targets);
        Assert.Empty(today.Unmapped);
        Assert.StartsWith("No scoring targets with data up to", today.CodesVerdict, StringComparison.Ordinal);
        Assert.DoesNotContain("Every code maps", today.CodesVerdict, StringComparison.Ordinal);

        var extract = await mediator.Send(new GetCoverageQuery(RiskCatalog.Readmission, end.AddHours(1)));
        Assert.True(extract.Targets > 50, $"{extract.Targets} scoring targets");
        Assert.DoesNotContain("No scoring targets", extract.CodesVerdict, StringComparison.Ordinal);
    }
}
