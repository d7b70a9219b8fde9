namespace ClinicalCds.UnitTests.Synthetic;

/// <summary>
/// The AUROC as the Mann-Whitney concordance, written here apart from the product's metrics: the probability that a case
/// scores above a control, ties counted half. Each row weighs as a case and as a control: an observed outcome weighs 1
/// and 0; a true probability p weighs p and 1 − p, which gives the AUROC expected over the outcome draws.
/// </summary>
internal static class Concordance
{
    public static double Auroc<TScore>(IEnumerable<(TScore Score, double Case, double Control)> rows)
        where TScore : IComparable<TScore>
    {
        var byScore = rows.GroupBy(r => r.Score).OrderBy(g => g.Key).Select(g => (Case: g.Sum(r => r.Case), Control: g.Sum(r => r.Control))).ToList();
        double controlsBelow = 0, concordant = 0;
        foreach (var (cases, controls) in byScore)
        {
            concordant += cases * (controlsBelow + (0.5 * controls));
            controlsBelow += controls;
        }

        return concordant / (byScore.Sum(s => s.Case) * controlsBelow);
    }
}
