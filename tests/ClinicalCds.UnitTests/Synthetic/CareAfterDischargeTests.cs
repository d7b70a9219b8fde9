using System.Text.Json;
using ClinicalCds.Synthetic;

namespace ClinicalCds.UnitTests.Synthetic;

/// <summary>
/// The care around the record that the worklist's follow-up columns show (issue 35 item 4): primary care physicians and
/// follow-up visits booked at discharge, at the published rates their constants cite, on the fixed-seed population.
/// </summary>
[Collection(SeededPopulationCollection.Name)]
public sealed class CareAfterDischargeTests(SeededPopulation population)
{
    private IEnumerable<JsonElement> Resources(string type) =>
        File.ReadLines(Path.Combine(population.Folder, $"{type}.ndjson")).Select(l => JsonDocument.Parse(l).RootElement);

    [Fact]
    public void Three_in_four_patients_name_a_primary_care_physician_who_exists()
    {
        var practitioners = Resources("Practitioner").Select(p => $"Practitioner/{p.GetProperty("id").GetString()}").ToHashSet();
        var patients = Resources("Patient").ToList();
        var named = patients
            .Where(p => p.TryGetProperty("generalPractitioner", out _))
            .Select(p => p.GetProperty("generalPractitioner")[0])
            .ToList();

        // Levine, Linder, Landon 2020: 75 % of US adults (95 % CI 74-76 %); 3,000 patients give ±1.6 % at 2 SD.
        var share = named.Count / (double)patients.Count;
        Assert.InRange(share, 0.72, 0.78);
        Assert.All(named, g =>
        {
            Assert.Contains(g.GetProperty("reference").GetString()!, practitioners);
            Assert.StartsWith("Dr. ", g.GetProperty("display").GetString());
        });
    }

    [Fact]
    public void Follow_up_visits_are_booked_at_the_published_share_of_discharges_home_and_end_as_time_allows()
    {
        var asOf = SyntheticOptions.DefaultAsOf;
        var discharges = Resources("Encounter")
            .Where(e => e.GetProperty("class").GetProperty("code").GetString() == "IMP"
                && e.TryGetProperty("hospitalization", out var h) && h.TryGetProperty("dischargeDisposition", out _)
                && e.GetProperty("hospitalization").GetProperty("dischargeDisposition").GetProperty("coding")[0].GetProperty("code").GetString() == "home")
            .ToDictionary(e => $"Encounter/{e.GetProperty("id").GetString()}", e => e.GetProperty("period").GetProperty("end").GetDateTime().ToUniversalTime());
        var visits = Resources("Appointment").Select(a => (
            Encounter: a.GetProperty("supportingInformation")[0].GetProperty("reference").GetString()!,
            Start: a.GetProperty("start").GetDateTime().ToUniversalTime(),
            Status: a.GetProperty("status").GetString()!)).ToList();

        // Every visit follows a discharge home, 3-14 days later; at most one per discharge.
        Assert.All(visits, v =>
        {
            Assert.True(discharges.TryGetValue(v.Encounter, out var discharged), $"{v.Encounter} is not a discharge home");
            Assert.InRange((v.Start.Date - discharged.Date).TotalDays, 3, 14);
        });
        Assert.Equal(visits.Count, visits.Select(v => v.Encounter).Distinct().Count());

        // J Gen Intern Med 2021 (PMID 33469750): 63.2 % of discharges had a follow-up visit booked.
        var booked = visits.Count / (double)discharges.Count;
        Assert.True(discharges.Count > 1500, $"{discharges.Count} discharges home");
        Assert.InRange(booked, 0.59, 0.67);

        // Visits still ahead at the as-of instant are booked, and only they; of those past, 88.2 % attended, 9.8 % missed,
        // 2.0 % cancelled by a readmission first — in a cohort readmitted at 7.3 %; here about 14 % are (the US all-payer
        // rate the readmission truth is held to), so more readmissions come before the visit: about 6 % (3,000 patients:
        // 81 of 1,410 past visits).
        Assert.All(visits, v => Assert.Equal(v.Start >= asOf, v.Status == "booked"));
        var past = visits.Where(v => v.Start < asOf).ToList();
        double Share(string status) => past.Count(v => v.Status == status) / (double)past.Count;
        Assert.InRange(Share("fulfilled"), 0.84, 0.92);
        Assert.InRange(Share("noshow"), 0.06, 0.13);
        Assert.InRange(Share("cancelled"), 0.01, 0.09);
        Assert.Contains(visits, v => v.Status == "booked");
    }
}
