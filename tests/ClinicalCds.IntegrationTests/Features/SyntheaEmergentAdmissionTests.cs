using System.Globalization;
using System.Text.Json;
using ClinicalCds.Application.Abstractions;
using ClinicalCds.Domain.Features;
using ClinicalCds.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace ClinicalCds.IntegrationTests.Features;

/// <summary>
/// Issue 30 item 6 on the Synthea sample: Synthea writes an emergency admission as an emergency encounter and an
/// inpatient one that start at the same instant (no priority, no admit source). Counted here from the raw Bundles —
/// an inpatient stay is emergent when an emergency encounter of the patient began by its start and ended no more than
/// 24 h before it — and compared with what the store's features say at every discharge.
/// </summary>
[Collection(SyntheaStore.Name)]
public sealed class SyntheaEmergentAdmissionTests(SyntheaImportFixture fixture)
{
    private sealed record RawEncounter(string Id, string Patient, string Class, DateTimeOffset Start, DateTimeOffset? End);

    private static List<RawEncounter> Encounters() =>
        [.. Fixtures.SyntheaBundles
            .SelectMany(file => JsonDocument.Parse(File.ReadAllBytes(file)).RootElement.GetProperty("entry").EnumerateArray())
            .Select(entry => entry.GetProperty("resource"))
            .Where(r => r.GetProperty("resourceType").GetString() == "Encounter")
            .Select(r => new RawEncounter(
                r.GetProperty("id").GetString()!,
                r.GetProperty("subject").GetProperty("reference").GetString()!.Split(':', '/')[^1],
                r.GetProperty("class").GetProperty("code").GetString()!,
                DateTimeOffset.Parse(r.GetProperty("period").GetProperty("start").GetString()!, CultureInfo.InvariantCulture),
                r.GetProperty("period").TryGetProperty("end", out var end) ? DateTimeOffset.Parse(end.GetString()!, CultureInfo.InvariantCulture) : null))];

    [Fact]
    public async Task Every_Synthea_inpatient_stay_is_emergent_exactly_when_an_emergency_encounter_led_to_it()
    {
        var encounters = Encounters();
        var emergency = encounters.Where(e => e.Class == "EMER").ToLookup(e => e.Patient, StringComparer.Ordinal);
        var stays = encounters.Where(e => e.Class == "IMP" && e.End is not null).ToList();
        var expected = stays.ToDictionary(
            s => s.Id,
            s => emergency[s.Patient].Any(ed => ed.Start <= s.Start && ed.End is { } end && end >= s.Start.AddHours(-24)),
            StringComparer.Ordinal);

        var reader = fixture.Api.Services.GetRequiredService<IPatientTimelineReader>();
        var timelines = new Dictionary<string, Domain.Timeline.PatientTimeline>(StringComparer.Ordinal);
        await foreach (var timeline in reader.ReadAllAsync(CancellationToken.None))
        {
            timelines[timeline.PatientId] = timeline;
        }

        var actual = stays.ToDictionary(s => s.Id, s => FeatureBuilder.Build(timelines[s.Patient], s.Id, s.End!.Value)!.EmergentAdmission, StringComparer.Ordinal);

        Assert.True(stays.Count > 100, $"{stays.Count} inpatient stays");
        Assert.Contains(expected.Values, e => e);
        Assert.Contains(expected.Values, e => !e);
        Assert.Equal(expected.OrderBy(p => p.Key, StringComparer.Ordinal), actual.OrderBy(p => p.Key, StringComparer.Ordinal));
    }
}
