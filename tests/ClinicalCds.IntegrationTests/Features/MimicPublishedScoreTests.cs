using ClinicalCds.Domain.Features;
using ClinicalCds.Domain.Scores;
using Xunit.Abstractions;

namespace ClinicalCds.IntegrationTests.Features;

/// <summary>
/// Issue 30 item 6: LACE and HOSPITAL at every MIMIC-IV index discharge, as the product computes them from its store,
/// equal the published scores computed here from the raw NDJSON (<see cref="MimicRawChart"/>) with the published point
/// tables written out again below (../shared/reference/SCORES.md §1–2, docs/adr/0002-lace-comorbidity-weights.md).
/// </summary>
[Collection(MimicStoreFixture.Collection)]
public sealed class MimicPublishedScoreTests(MimicStoreFixture mimic, ITestOutputHelper output)
{
    /// <summary>LACE's own Charlson weights (Ontario LACE tool; renal +2, peptic ulcer and hemiplegia 0 per ADR 0002).</summary>
    private static readonly Dictionary<string, int> LaceWeights = new(StringComparer.Ordinal)
    {
        ["mi"] = 1, ["cevd"] = 1, ["pvd"] = 1, ["diab"] = 1,
        ["chf"] = 2, ["diabwc"] = 2, ["cpd"] = 2, ["mld"] = 2, ["canc"] = 2, ["rend"] = 2,
        ["dementia"] = 3, ["rheumd"] = 3,
        ["msld"] = 4, ["aids"] = 4,
        ["metacanc"] = 6,
    };

    /// <summary>Quan's hierarchy: where the severe form is present, the mild one is not counted.</summary>
    private static readonly (string Mild, string Severe)[] Hierarchy = [("mld", "msld"), ("diab", "diabwc"), ("canc", "metacanc")];

    private static int LaceComorbiditySum(IReadOnlySet<string> categories) =>
        categories.Where(c => !Hierarchy.Any(h => h.Mild == c && categories.Contains(h.Severe))).Sum(c => LaceWeights.GetValueOrDefault(c));

    private sealed record Points(int L, int A, int C, int E, int H, int O, int S, int P, int IT, int Adm, int HL)
    {
        public int Lace => L + A + C + E;

        public int Hospital => H + O + S + P + IT + Adm + HL;
    }

    [Fact]
    public async Task LACE_and_HOSPITAL_at_every_index_discharge_equal_a_computation_from_the_raw_NDJSON()
    {
        var raw = mimic.Raw;
        var charlson9 = MimicRawChart.QuanList("charlson_icd9cm_quan.csv");
        var charlson10 = MimicRawChart.QuanList("charlson_icd10_quan.csv");
        var timelines = (await mimic.TimelinesAsync()).ToDictionary(t => t.PatientId, StringComparer.Ordinal);
        var discharges = raw.IndexDischarges().ToList();
        var sameInstantDisagreements = 0;
        var compared = new List<(string Id, Points Expected, int Lace, int Hospital)>();
        foreach (var a in discharges)
        {
            var end = a.End!.Value.Instant;
            var days = MimicRawChart.LengthOfStay(a);
            var emergent = raw.Emergent(a);
            var comorbidity = LaceComorbiditySum(raw.Categories(a.Patient, end, charlson9, charlson10, charlson: true));
            var edVisits = raw.EdVisitsPrior6Months(a);
            var hemoglobin = raw.LatestAtDischarge(a, "51222");
            var sodium = raw.LatestAtDischarge(a, "50983", "50824");
            sameInstantDisagreements += (hemoglobin.Count > 1 && hemoglobin.Select(l => l.Value < 12).Distinct().Count() > 1 ? 1 : 0)
                + (sodium.Count > 1 && sodium.Select(l => l.Value < 135).Distinct().Count() > 1 ? 1 : 0);
            var admissions = raw.AdmissionsPrior12Months(a);
            var expected = new Points(
                L: days switch { < 1 => 0, 1 or 2 or 3 => days, <= 6 => 4, <= 13 => 5, _ => 7 },
                A: emergent ? 3 : 0,
                C: comorbidity >= 4 ? 5 : comorbidity,
                E: Math.Min(edVisits, 4),
                H: hemoglobin.Any(l => l.Value < 12) ? 1 : 0,
                O: a.Service == "OMED" ? 2 : 0,
                S: sodium.Any(l => l.Value < 135) ? 1 : 0,
                P: raw.BilledProcedureAdmissions.Contains(a.Id) ? 1 : 0,
                IT: emergent ? 1 : 0,
                Adm: admissions switch { <= 1 => 0, <= 5 => 2, _ => 5 },
                HL: days >= 5 ? 2 : 0);

            var features = FeatureBuilder.Build(timelines[a.Patient], a.Id, end)!;
            var lace = Lace.Score(PublishedScores.LaceInputOf(features));
            var hospital = Hospital.Score(PublishedScores.HospitalInputOf(features));
            var product = new Points(
                lace.Components[0].Points, lace.Components[1].Points, lace.Components[2].Points, lace.Components[3].Points,
                hospital.Components[0].Points, hospital.Components[1].Points, hospital.Components[2].Points, hospital.Components[3].Points,
                hospital.Components[4].Points, hospital.Components[5].Points, hospital.Components[6].Points);
            Assert.True(expected == product, $"discharge {a.Id}: from the raw NDJSON {expected}, the product {product}");
            compared.Add((a.Id, expected, lace.Total, hospital.Total));
        }

        var laceBands = compared.GroupBy(c => c.Expected.Lace switch { <= 4 => "low", <= 9 => "moderate", _ => "high" }).ToDictionary(g => g.Key, g => g.Count());
        var hospitalBands = compared.GroupBy(c => c.Expected.Hospital switch { <= 4 => "low", <= 6 => "intermediate", _ => "high" }).ToDictionary(g => g.Key, g => g.Count());
        output.WriteLine($"{compared.Count} index discharges: LACE {string.Join(", ", laceBands.Select(b => $"{b.Key} {b.Value}"))}; "
            + $"HOSPITAL {string.Join(", ", hospitalBands.Select(b => $"{b.Key} {b.Value}"))}; {sameInstantDisagreements} labs drawn at one instant disagreeing on a threshold");

        Assert.Equal(compared.Select(c => c.Expected.Lace), compared.Select(c => c.Lace));
        Assert.Equal(compared.Select(c => c.Expected.Hospital), compared.Select(c => c.Hospital));
        Assert.True(compared.Count >= 80, $"{compared.Count} index discharges");
        // The comparison says something only where the inputs vary: every LACE component and HOSPITAL letter scores at
        // some discharges and not at others (O and C included).
        Assert.All(typeof(Points).GetProperties().Where(p => p.Name is not ("Lace" or "Hospital")), p =>
            Assert.True(compared.Select(c => (int)p.GetValue(c.Expected)!).Distinct().Count() > 1, $"{p.Name} is the same at every discharge"));
        Assert.Equal(0, sameInstantDisagreements);
    }
}
