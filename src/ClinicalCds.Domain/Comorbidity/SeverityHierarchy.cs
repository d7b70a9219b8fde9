namespace ClinicalCds.Domain.Comorbidity;

/// <summary>
/// The "only the severe form counts" rule of the comorbidity indexes: when both forms of a disease are present,
/// the mild one is dropped (Quan 2005; the R package comorbidity's "assign0").
/// </summary>
public static class SeverityHierarchy
{
    public static IReadOnlySet<string> Apply(IEnumerable<string> present, IReadOnlyList<(string Mild, string Severe)> pairs)
    {
        var set = new HashSet<string>(present, StringComparer.Ordinal);
        foreach (var (mild, severe) in pairs)
        {
            if (set.Contains(severe))
            {
                set.Remove(mild);
            }
        }

        return set;
    }
}
