using ClinicalCds.Domain.Comorbidity;

namespace ClinicalCds.Domain.Scores;

/// <summary>Weights of the Charlson comorbidity index.</summary>
public enum CharlsonWeights
{
    /// <summary>Charlson ME et al., J Chronic Dis 1987;40(5):373-83.</summary>
    Charlson1987,

    /// <summary>Quan H et al., Am J Epidemiol 2011;173(6):676-82 (updated weights).</summary>
    Quan2011,
}

/// <summary>
/// Charlson comorbidity index over Quan 2005 ICD-10 categories (Med Care 2005;43(11):1130-9). Each category counts
/// once; when the mild and the severe form of a disease are both present only the severe one counts (mild/moderate-
/// severe liver disease, diabetes without/with chronic complication, malignancy/metastatic solid tumour).
/// </summary>
public static class CharlsonIndex
{
    /// <summary>Pairs of (mild, severe) categories: the severe form replaces the mild one.</summary>
    public static readonly IReadOnlyList<(string Mild, string Severe)> Hierarchy = [("mld", "msld"), ("diab", "diabwc"), ("canc", "metacanc")];

    /// <summary>The categories that count after the "only the severe form counts" rule.</summary>
    public static IReadOnlySet<string> Counted(IEnumerable<string> present) => SeverityHierarchy.Apply(present, Hierarchy);

    public static ScoreResult Score(IEnumerable<string> presentCategories, CharlsonWeights weights)
    {
        var counted = Counted(presentCategories);
        var weightKey = weights == CharlsonWeights.Charlson1987 ? "charlson" : "quan2011";
        var components = CodeList.Charlson.Categories
            .Where(c => counted.Contains(c.Key))
            .Select(c => new ScoreComponent(c.Name, "present", c.Weights[weightKey]))
            .ToList();
        return new ScoreResult(
            weights == CharlsonWeights.Charlson1987 ? "Charlson comorbidity index" : "Charlson comorbidity index (Quan 2011 weights)",
            weights == CharlsonWeights.Charlson1987
                ? "Charlson 1987 weights, Quan 2005 ICD-10 coding; not age-adjusted"
                : "Quan 2011 updated weights, Quan 2005 ICD-10 coding; not age-adjusted",
            components.Sum(c => c.Points),
            RiskCategory: null,
            components,
            Missing: []);
    }
}
