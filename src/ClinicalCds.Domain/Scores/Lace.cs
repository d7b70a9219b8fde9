using System.Globalization;
using ClinicalCds.Domain.Comorbidity;

namespace ClinicalCds.Domain.Scores;

/// <summary>What LACE reads about a discharge.</summary>
public sealed record LaceInput(int LengthOfStayDays, bool EmergentAdmission, IReadOnlyCollection<string> CharlsonCategories, int EdVisitsPrior6Months);

/// <summary>
/// LACE index for 30-day death or unplanned readmission: van Walraven C et al., CMAJ 2010;182(6):551-7
/// (doi:10.1503/cmaj.091117). Score 0–19; bands 0–4 low, 5–9 moderate, ≥10 high.
/// </summary>
public static class Lace
{
    /// <summary>
    /// LACE's own Charlson weights (Ontario LACE tool), applied to the Quan 2005 categories after the severity
    /// hierarchy. Renal disease is +2 and peptic ulcer disease 0: see docs/adr/0002-lace-comorbidity-weights.md.
    /// Categories not listed (hemiplegia, peptic ulcer) earn nothing in LACE.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, int> ComorbidityWeights = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        ["mi"] = 1,
        ["cevd"] = 1,
        ["pvd"] = 1,
        ["diab"] = 1,
        ["chf"] = 2,
        ["diabwc"] = 2,
        ["cpd"] = 2,
        ["mld"] = 2,
        ["canc"] = 2,
        ["rend"] = 2,
        ["dementia"] = 3,
        ["rheumd"] = 3,
        ["msld"] = 4,
        ["aids"] = 4,
        ["metacanc"] = 6,
    };

    /// <summary>L: &lt;1 day 0, 1 → 1, 2 → 2, 3 → 3, 4–6 → 4, 7–13 → 5, ≥14 → 7.</summary>
    public static int LengthOfStayPoints(int days) => days switch
    {
        < 1 => 0,
        1 => 1,
        2 => 2,
        3 => 3,
        <= 6 => 4,
        <= 13 => 5,
        _ => 7,
    };

    /// <summary>A: emergent (acute) admission 3.</summary>
    public static int AcuityPoints(bool emergent) => emergent ? 3 : 0;

    /// <summary>The LACE Charlson sum of the categories present.</summary>
    public static int ComorbiditySum(IEnumerable<string> categories) =>
        CharlsonIndex.Counted(categories).Sum(c => ComorbidityWeights.GetValueOrDefault(c));

    /// <summary>C: Charlson sum 0 → 0, 1 → 1, 2 → 2, 3 → 3, ≥4 → 5.</summary>
    public static int ComorbidityPoints(int charlsonSum) => charlsonSum >= 4 ? 5 : Math.Max(charlsonSum, 0);

    /// <summary>E: ED visits in the 6 months before admission 0–3 → same, ≥4 → 4.</summary>
    public static int EmergencyVisitPoints(int visits) => Math.Clamp(visits, 0, 4);

    public static string RiskCategory(int total) => total switch
    {
        <= 4 => "low",
        <= 9 => "moderate",
        _ => "high",
    };

    public static ScoreResult Score(LaceInput input)
    {
        var sum = ComorbiditySum(input.CharlsonCategories);
        var counted = CharlsonIndex.Counted(input.CharlsonCategories);
        var named = CodeList.Charlson.Categories
            .Where(c => counted.Contains(c.Key) && ComorbidityWeights.ContainsKey(c.Key))
            .Select(c => $"{c.Name} (+{ComorbidityWeights[c.Key]})")
            .ToList();
        ScoreComponent[] components =
        [
            new("Length of stay", Explanations.FactorWording.Count(input.LengthOfStayDays, "day"), LengthOfStayPoints(input.LengthOfStayDays)),
            new("Acute (emergent) admission", input.EmergentAdmission ? "yes" : "no", AcuityPoints(input.EmergentAdmission)),
            new("Comorbidity (LACE Charlson sum)", named.Count == 0 ? "0 (none)" : $"{sum.ToString(CultureInfo.InvariantCulture)}: {string.Join(", ", named)}", ComorbidityPoints(sum)),
            new("Emergency department visits in the 6 months before admission", input.EdVisitsPrior6Months.ToString(CultureInfo.InvariantCulture), EmergencyVisitPoints(input.EdVisitsPrior6Months)),
        ];
        var total = components.Sum(c => c.Points);
        return new ScoreResult("LACE", "van Walraven et al., CMAJ 2010;182(6):551-7", total, RiskCategory(total), components, Missing: []);
    }
}
