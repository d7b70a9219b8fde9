using ClinicalCds.Application.Abstractions;
using ClinicalCds.Domain.Features;
using ClinicalCds.Domain.Models;

namespace ClinicalCds.Application.Models;

/// <summary>
/// Fits the range's margins on a hospital's charts (<see cref="RangeMargins"/>, ADR 0015): each chart is masked in every
/// combination of the model's input panels that removes something it recorded, the range is stated as the completions
/// give it, and the margins are what make it hold the charted estimate 8 times in 10. No outcome is read.
/// </summary>
public static class RangeCalibration
{
    /// <summary>Charts read at most (spread evenly over them): 1,000 put each margin within about ±0.02 of its share.</summary>
    public const int MaxCharts = 1000;

    /// <summary>The standard input panels (<see cref="InputPanels.All"/>) as the model's input indices, those it has at all.</summary>
    public static IReadOnlyList<RangeMarginPanel> PanelsOf(ModelCard card) =>
    [
        .. InputPanels.All
            .Select(p => new RangeMarginPanel(p.Name, [.. Enumerable.Range(0, card.Features.Count)
                .Where(j => p.Inputs.Contains(card.Features[j].Name) && card.Features[j].Reference.Count > 0)]))
            .Where(p => p.Inputs.Length > 0),
    ];

    /// <summary><paramref name="completions"/> with the margins that make <paramref name="model"/>'s range hold on <paramref name="charts"/>.</summary>
    public static InputDependence WithMargins(IRiskModel model, InputDependence completions, IReadOnlyList<(string PatientId, FeatureVector Chart)> charts)
    {
        var unmoved = new RangeCoverage.CompletedWith(model, completions with { Margins = null });
        var panels = PanelsOf(model.Card);
        var step = Math.Max(1, (charts.Count + MaxCharts - 1) / MaxCharts);
        var sampled = charts.Where((_, k) => k % step == 0).ToList();
        var sample = sampled.Select(c => c.Chart).ToList();
        var patient = sampled.Select(c => c.PatientId).Distinct(StringComparer.Ordinal).Select((id, k) => (id, k)).ToDictionary(p => p.id, p => p.k, StringComparer.Ordinal);

        var masked = new List<(int Chart, FeatureVector Vector)>();
        for (var i = 0; i < sample.Count; i++)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (var combination = 1; combination < 1 << panels.Count; combination++)
            {
                var vector = RangeCoverage.Masked(sample[i], Enumerable.Range(0, panels.Count)
                    .Where(p => (combination & (1 << p)) != 0).SelectMany(p => panels[p].Inputs));

                // A combination that removes nothing recorded, or leaves the chart as another one did, measures nothing new.
                if (!vector.Values.SequenceEqual(sample[i].Values) && seen.Add(NullPattern(vector.Values)))
                {
                    masked.Add((i, vector));
                }
            }
        }

        var charted = unmoved.Predict(sample);
        var ranges = unmoved.PlausibleRanges([.. masked.Select(m => m.Vector)]);
        var estimates = masked.Select((m, k) => new MaskedEstimate(patient[sampled[m.Chart].PatientId], RangeMargins.KeyOf(panels, m.Vector.Values), charted[m.Chart], ranges[k].Probability, ranges[k].Low, ranges[k].High));
        return completions with { Margins = RangeMargins.Fit(panels, [.. estimates]) };
    }

    private static string NullPattern(IReadOnlyList<double?> values) => string.Join(',', Enumerable.Range(0, values.Count).Where(j => values[j] is null));
}
