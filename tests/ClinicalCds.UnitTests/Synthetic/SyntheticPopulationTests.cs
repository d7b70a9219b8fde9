using System.Globalization;
using ClinicalCds.Fhir.Ingest;
using ClinicalCds.Synthetic;

namespace ClinicalCds.UnitTests.Synthetic;

public sealed class SyntheticPopulationTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("clinicalcds-synth-");

    public void Dispose() => _root.Delete(recursive: true);

    private string Generate(string name, int patients, ulong seed)
    {
        var folder = Path.Combine(_root.FullName, name);
        PopulationGenerator.Generate(new SyntheticOptions(patients, seed, SyntheticOptions.DefaultAsOf), folder);
        return folder;
    }

    private static Dictionary<string, byte[]> Files(string folder) =>
        Directory.GetFiles(folder, "*", SearchOption.AllDirectories).ToDictionary(f => Path.GetRelativePath(folder, f), File.ReadAllBytes);

    [Fact]
    public void The_same_seed_gives_byte_identical_files_and_another_seed_does_not()
    {
        var first = Files(Generate("a", 120, 11));
        var second = Files(Generate("b", 120, 11));
        var other = Files(Generate("c", 120, 12));
        Assert.Equal(first.Keys.Order(), second.Keys.Order());
        Assert.All(first, f => Assert.Equal(f.Value, second[f.Key]));
        Assert.NotEqual(first["Patient.ndjson"], other["Patient.ndjson"]);
    }

    [Fact]
    public void Every_line_is_a_valid_fhir_r4_resource_of_its_file_type()
    {
        var folder = Generate("valid", 150, 5);
        var ndjson = Directory.GetFiles(folder, "*.ndjson");
        Assert.Contains(Path.Combine(folder, "Encounter.ndjson"), ndjson);
        foreach (var file in ndjson)
        {
            var type = Path.GetFileNameWithoutExtension(file);
            foreach (var line in File.ReadLines(file))
            {
                var prepared = ResourcePreparer.Prepare(System.Text.Encoding.UTF8.GetBytes(line));
                Assert.True(prepared.Resource is not null, $"{type}: {string.Join("; ", prepared.Errors)}");
                Assert.Equal(type, prepared.Resource!.ResourceType);
            }
        }
    }

    [Fact]
    public void The_population_has_inpatient_stays_deterioration_and_ground_truth_for_each_index_discharge()
    {
        var folder = Generate("truth", 400, 9);
        var encounters = File.ReadLines(Path.Combine(folder, "Encounter.ndjson")).Select(l => ResourcePreparer.Prepare(System.Text.Encoding.UTF8.GetBytes(l)).Resource!.Facts.Encounter!).ToList();
        var inpatient = encounters.Where(e => e.ClassCode == "IMP").ToList();
        Assert.Contains(inpatient, e => e.PriorityCode == "EM");
        Assert.Contains(inpatient, e => e.PriorityCode == "EL");
        Assert.Contains(inpatient, e => e.HadIntensiveCare);
        Assert.Contains(encounters, e => e.ClassCode == "EMER");
        Assert.Contains(inpatient, e => e.DischargeDisposition == "snf");
        // Issue 35 item 4: no ED visit ends in "hosp" (Hospice in HL7's discharge-disposition codes); one that led to an
        // admission records none, and emergency stays say they came from the ED.
        var emergency = encounters.Where(e => e.ClassCode == "EMER").ToList();
        Assert.DoesNotContain(emergency, e => e.DischargeDisposition == "hosp");
        Assert.Contains(emergency, e => e.DischargeDisposition is null);
        Assert.Contains(inpatient, e => e.AdmitSource == "emd");

        var readmission = File.ReadAllLines(Path.Combine(folder, GroundTruth.Folder, GroundTruth.ReadmissionFile));
        Assert.Equal(GroundTruth.ReadmissionHeader, readmission[0]);
        var rows = readmission.Skip(1).Select(r => r.Split(',')).ToList();
        // One ground-truth row per inpatient stay that ended in a discharge home or elsewhere alive.
        var discharged = inpatient.Where(e => e.End is not null && e.DischargeDisposition != "exp").Select(e => e.EncounterId).ToHashSet();
        Assert.Equal(discharged.Order(), rows.Select(r => r[1]).Order());
        Assert.All(rows, r => Assert.InRange(double.Parse(r[3], CultureInfo.InvariantCulture), 0.0, 1.0));
        var known = rows.Where(r => r[4] != string.Empty).ToList();
        var rate = known.Count(r => r[4] == "1") / (double)known.Count;
        var meanProbability = known.Average(r => double.Parse(r[3], CultureInfo.InvariantCulture));
        // Outcomes are drawn from the true probabilities, so the observed rate agrees with their mean.
        Assert.InRange(rate, meanProbability - 0.06, meanProbability + 0.06);

        // The label is what the data show: a readmitted row names the first inpatient encounter of the same patient
        // after the discharge, emergent and starting within 30 days (a short readmission may itself be followed by
        // another); a row labelled 0 has no inpatient admission in those 30 days.
        var byId = inpatient.ToDictionary(e => e.EncounterId);
        foreach (var row in known)
        {
            var discharge = DateTimeOffset.Parse(row[2], CultureInfo.InvariantCulture);
            var within30Days = inpatient.Where(e => e.PatientId == row[0] && e.Start > discharge && e.Start <= discharge.AddDays(30)).ToList();
            if (row[4] == "1")
            {
                var readmitted = byId[row[5]];
                Assert.Equal(row[0], readmitted.PatientId);
                Assert.Equal("EM", readmitted.PriorityCode);
                Assert.Equal(readmitted, within30Days.MinBy(e => e.Start));
            }
            else
            {
                Assert.Equal(string.Empty, row[5]);
                Assert.Empty(within30Days);
            }
        }

        var complication = File.ReadAllLines(Path.Combine(folder, GroundTruth.Folder, GroundTruth.ComplicationFile));
        Assert.Equal(GroundTruth.ComplicationHeader, complication[0]);
        Assert.Contains(complication.Skip(1), r => r.Split(',')[4] == "1");
    }

    private string GenerateRecentCare(string name, int patients, DateTime asOf)
    {
        var folder = Path.Combine(_root.FullName, name);
        PopulationGenerator.Generate(new SyntheticOptions(patients, 42, asOf) { RecentCareDays = 30 }, folder);
        return folder;
    }

    private static List<T> Read<T>(string folder, string type, Func<ClinicalCds.Fhir.Ingest.PreparedResource, T?> fact)
        where T : class =>
        File.ReadLines(Path.Combine(folder, $"{type}.ndjson")).Select(l => fact(ResourcePreparer.Prepare(System.Text.Encoding.UTF8.GetBytes(l)).Resource!)!).ToList();

    [Fact]
    public void A_recent_care_population_is_exactly_the_patients_in_hospital_or_discharged_alive_within_the_days_and_the_same_each_day()
    {
        var asOf = new DateTime(2026, 12, 4, 0, 0, 0, DateTimeKind.Utc);
        var folder = GenerateRecentCare("recent", 90, asOf);
        var patients = Read(folder, "Patient", r => r.Facts.Patient);
        var encounters = Read(folder, "Encounter", r => r.Facts.Encounter);
        Assert.Equal(90, patients.Count);
        Assert.All(patients, p => Assert.False(p.Deceased, p.PatientId));
        var inpatient = encounters.Where(e => e.ClassCode == "IMP").ToLookup(e => e.PatientId);
        Assert.All(patients, p => Assert.Contains(inpatient[p.PatientId], e =>
            e.End is null ? e.Start <= asOf : e.End >= asOf.AddDays(-30) && e.End <= asOf && e.DischargeDisposition != "exp"));
        // Both kinds are there: patients in hospital now and patients discharged in the last 30 days.
        Assert.Contains(patients, p => inpatient[p.PatientId].Any(e => e.End is null));
        Assert.Contains(patients, p => inpatient[p.PatientId].All(e => e.End is not null));

        // Deterministic; a smaller count is the first patients of a larger one; another day gives the same patients
        // (histories are drawn relative to the as-of instant), so the examples in cds-hooks/examples/ name them.
        Assert.Equal(File.ReadAllBytes(Path.Combine(folder, "Patient.ndjson")), File.ReadAllBytes(Path.Combine(GenerateRecentCare("again", 90, asOf), "Patient.ndjson")));
        var fewer = Read(GenerateRecentCare("fewer", 40, asOf), "Patient", r => r.Facts.Patient);
        Assert.Equal(patients.Take(40).Select(p => p.PatientId), fewer.Select(p => p.PatientId));
        var nextDay = Read(GenerateRecentCare("next-day", 90, asOf.AddDays(1)), "Patient", r => r.Facts.Patient);
        Assert.Equal(patients.Select(p => p.PatientId), nextDay.Select(p => p.PatientId));
    }
}
