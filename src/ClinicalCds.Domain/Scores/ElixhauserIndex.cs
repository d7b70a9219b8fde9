using ClinicalCds.Domain.Comorbidity;

namespace ClinicalCds.Domain.Scores;

/// <summary>
/// Elixhauser comorbidity score with the van Walraven weights (Med Care 2009;47(6):626-33) over Quan 2005 ICD-10
/// categories; uncomplicated and complicated forms are exclusive (hypertension, diabetes, solid tumour/metastatic).
/// </summary>
public static class ElixhauserIndex
{
    public static readonly IReadOnlyList<(string Mild, string Severe)> Hierarchy = [("hypunc", "hypc"), ("diabunc", "diabc"), ("solidtum", "metacanc")];

    public static IReadOnlySet<string> Counted(IEnumerable<string> present) => SeverityHierarchy.Apply(present, Hierarchy);

    public static ScoreResult Score(IEnumerable<string> presentCategories)
    {
        var counted = Counted(presentCategories);
        var components = CodeList.Elixhauser.Categories
            .Where(c => counted.Contains(c.Key))
            .Select(c => new ScoreComponent(c.Name, "present", c.Weights["vanwalraven"]))
            .ToList();
        return new ScoreResult("Elixhauser comorbidity score", "van Walraven 2009 weights, Quan 2005 ICD-10 coding",
            components.Sum(c => c.Points), RiskCategory: null, components, Missing: []);
    }
}
