using ClinicalCds.IntegrationTests.Infrastructure;

namespace ClinicalCds.IntegrationTests.Features;

/// <summary>
/// Issue 21 item 1: a changed terminology (or encounter rule set) reaches the stored facts by `clinicalcds rederive` —
/// no re-import, no new resource versions, and a second run changes nothing. Real processes on the MIMIC-IV demo.
/// </summary>
public sealed class RederiveTests(TestDatabase database) : IClassFixture<TestDatabase>
{
    private sealed record Snapshot(long Hemoglobin, long LocalLabs, long Inpatient, long IntensiveCare, long Icd10Cm, long Icd9Cm, long Versions, long Observations);

    private async Task<Snapshot> TakeAsync() => new(
        await database.ScalarAsync("SELECT count(*) FROM observations WHERE system = 'http://loinc.org' AND code = '718-7'"),
        await database.ScalarAsync("SELECT count(*) FROM observations WHERE system = 'http://mimic.mit.edu/fhir/mimic/CodeSystem/mimic-d-labitems'"),
        await database.ScalarAsync("SELECT count(*) FROM encounters WHERE kind = 'inpatient'"),
        await database.ScalarAsync("SELECT count(*) FROM encounters WHERE kind = 'intensive-care'"),
        await database.ScalarAsync("SELECT count(*) FROM conditions WHERE system = 'http://hl7.org/fhir/sid/icd-10-cm'"),
        await database.ScalarAsync("SELECT count(*) FROM conditions WHERE system = 'http://hl7.org/fhir/sid/icd-9-cm'"),
        await database.ScalarAsync("SELECT count(*) FROM fhir_resources"),
        await database.ScalarAsync("SELECT count(*) FROM observations"));

    [Fact]
    public async Task New_maps_and_encounter_rules_reach_the_stored_facts_without_a_reimport_and_a_second_run_changes_nothing()
    {
        var plain = new Dictionary<string, string> { ["ConnectionStrings__ClinicalCds"] = database.ConnectionString };
        var mapped = new Dictionary<string, string>(plain)
        {
            ["Terminology__Folders__0"] = MimicStoreFixture.MapsFolder,
            ["Encounters__Profile"] = "mimic-iv",
        };
        var files = new[] { "MimicPatient", "MimicEncounter", "MimicEncounterICU", "MimicCondition", "MimicObservationLabevents" }
            .Select(name => Path.Combine(Fixtures.MimicDirectory, $"{name}.ndjson.gz"));
        var (imported, importOutput) = await CliProcess.RunAsync(plain, ["import", .. files]);
        Assert.True(imported == 0, importOutput);

        // Imported without maps, as US Core reads it: local lab codes, MIMIC's diagnosis systems, ICU stays (class ACUTE) as admissions.
        var before = await TakeAsync();
        Assert.Equal((0L, 0L, 0L, 85L), (before.Hemoglobin, before.Icd10Cm + before.Icd9Cm, before.IntensiveCare, before.Inpatient));
        Assert.True(before.LocalLabs > 10_000);

        var (first, output) = await CliProcess.RunAsync(mapped, "rederive");
        Assert.True(first == 0, output);
        Assert.Contains("Re-derived the facts of", output, StringComparison.Ordinal);
        var after = await TakeAsync();
        // Hemoglobin (51222) rows now LOINC; admissions are the 107 hosp encounters that are not observation stays; ICU stays are ICU stays.
        Assert.True(after.Hemoglobin > 1_000, $"{after.Hemoglobin} hemoglobin rows");
        Assert.Equal((107L, 85L), (after.Inpatient, after.IntensiveCare));
        Assert.True(after.Icd10Cm > 0 && after.Icd9Cm > 0);
        Assert.Equal((before.Versions, before.Observations), (after.Versions, after.Observations));

        var (second, secondOutput) = await CliProcess.RunAsync(mapped, "rederive", "--type", "Observation", "--type", "Encounter");
        Assert.True(second == 0, secondOutput);
        Assert.Equal(after, await TakeAsync());
        Assert.Equal(2, (await CliProcess.RunAsync(mapped, "rederive", "--type", "Medication")).ExitCode);
    }
}
