using ClinicalCds.Domain.Models;
using ClinicalCds.Application.Models;

namespace ClinicalCds.Application.Models.Evaluation;

/// <summary>One row of an evaluation split: whose it is, the model's calibrated probability, the outcome, each published score, the subgroups it belongs to.</summary>
public sealed record EvaluatedRow(string PatientId, double Probability, bool Outcome, IReadOnlyList<double> Baselines, IReadOnlyList<string> Groups);

public sealed record EvaluationResult(CardMetrics Metrics, IReadOnlyList<CardBaseline> Baselines, IReadOnlyList<CardSubgroup> Subgroups);

/// <summary>
/// The performance report of a model on a split it did not learn from, as TRIPOD+AI (Collins GS et al. BMJ
/// 2024;385:e078378, items 12e and 23) asks: discrimination with intervals, for the model and each published baseline and
/// for their paired difference; calibration as a curve over deciles of predicted risk and as calibration-in-the-large
/// and slope (Van Calster B et al. J Clin Epidemiol 2016;74:167-176); the classification rates at the tiers the model
/// is used at; all of it per subgroup. Every interval comes from one patient-level bootstrap (<see cref="PatientBootstrap"/>):
/// a statistic and its difference are computed on the same resamples, so the paired interval is honest.
/// </summary>
public static class ModelEvaluation
{
    public const int Resamples = 1000;
    public const int Seed = 2026;
    public const int Bins = 10;

    /// <summary>Below this many events (or non-events) a subgroup's AUROC is not estimated.</summary>
    public const int MinimumEvents = 10;

    /// <summary>
    /// Below this many events a validation is imprecise: Collins GS, Ogundimu EO, Altman DG. Sample size considerations for
    /// the external validation of a multivariable prognostic model. Stat Med 2016;35:214-226 recommend at least 100.
    /// </summary>
    public const int RecommendedEvents = 100;

    /// <summary>
    /// Whether a sample's discrimination and calibration are headline numbers (issue 32 item 4): at least
    /// <see cref="MinimumEvents"/> events and as many non-events; below that a month or group shows its counts, not an AUROC.
    /// </summary>
    public static bool HasEnoughEvents(CardMetrics m) => m.Positives >= MinimumEvents && m.Rows - m.Positives >= MinimumEvents;

    public static string Method(int resamples) =>
        $"95% intervals: 2.5th-97.5th percentiles over {resamples:N0} bootstrap resamples of patients (all of a drawn patient's rows); " +
        "calibration curve over deciles of predicted risk; calibration-in-the-large = intercept with logit(p) as offset, slope = coefficient of logit(p) (Van Calster 2016).";

    public static EvaluationResult Evaluate(
        IReadOnlyList<EvaluatedRow> rows, IReadOnlyList<string> baselineNames, CardTiers tiers, int resamples = Resamples, int seed = Seed)
    {
        var probabilities = rows.Select(r => r.Probability).ToArray();
        var outcomes = rows.Select(r => r.Outcome).ToArray();
        var logits = probabilities.Select(p => Logistic.Logit(Math.Clamp(p, 1e-6, 1 - 1e-6))).ToArray();
        var all = Enumerable.Range(0, rows.Count).ToArray();
        var bootstrap = new PatientBootstrap([.. rows.Select(r => r.PatientId)]);
        var model = new Ranking(probabilities);
        var baselines = baselineNames.Select((_, b) => new Ranking([.. rows.Select(r => r.Baselines[b])])).ToList();
        (string Name, double Threshold)[] thresholds = [("moderate", tiers.Moderate), ("high", tiers.High)];

        // Deciles of predicted risk, fixed on the sample itself (ties split by row order).
        var byRisk = all.OrderBy(i => probabilities[i]).ToArray();
        var binOf = new int[rows.Count];
        for (var k = 0; k < byRisk.Length; k++)
        {
            binOf[byRisk[k]] = (int)((long)k * Bins / byRisk.Length);
        }

        var groups = rows.SelectMany((r, i) => r.Groups.Select(g => (Group: g, Row: i)))
            .GroupBy(x => x.Group, x => x.Row)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (Name: g.Key, Rows: g.ToArray(), Ranking: new Ranking(probabilities, g)))
            .ToList();

        var whole = Metrics.Ones(rows.Count);
        var calibrationFit = LogisticFit.Fit(logits, outcomes);
        var inTheLarge = WeightedMetrics.CalibrationInTheLarge(logits, outcomes, whole);

        double[] Statistics(double[] w)
        {
            var values = new List<double>
            {
                model.Auroc(outcomes, w),
                model.AveragePrecision(outcomes, w),
                WeightedMetrics.Brier(probabilities, outcomes, w),
                WeightedMetrics.CalibrationInTheLarge(logits, outcomes, w, inTheLarge),
                WeightedMetrics.BothOutcomes(outcomes, w) ? LogisticFit.Fit(logits, outcomes, weights: w, start: calibrationFit).Slope : double.NaN,
            };
            var (binWeight, binPredicted, binObserved) = (new double[Bins], new double[Bins], new double[Bins]);
            for (var i = 0; i < w.Length; i++)
            {
                binWeight[binOf[i]] += w[i];
                binPredicted[binOf[i]] += w[i] * probabilities[i];
                binObserved[binOf[i]] += outcomes[i] ? w[i] : 0;
            }

            var total = binWeight.Sum();
            values.Add(Enumerable.Range(0, Bins).Where(b => binWeight[b] > 0)
                .Sum(b => binWeight[b] / total * Math.Abs((binPredicted[b] - binObserved[b]) / binWeight[b])));
            values.AddRange(Enumerable.Range(0, Bins).Select(b => binWeight[b] > 0 ? binObserved[b] / binWeight[b] : double.NaN));
            values.AddRange(Rates(all));
            foreach (var baseline in baselines)
            {
                var auroc = baseline.Auroc(outcomes, w);
                values.Add(auroc);
                values.Add(values[0] - auroc);
            }

            foreach (var (_, members, ranking) in groups)
            {
                values.Add(ranking.Auroc(outcomes, w));
                values.Add(WeightedMetrics.ObservedToExpected(probabilities, outcomes, w, members));
                values.AddRange(Rates(members));
            }

            return [.. values];

            IEnumerable<double> Rates(IReadOnlyList<int> members) => thresholds.SelectMany(t =>
            {
                var (alert, sensitivity, ppv) = WeightedMetrics.AtThreshold(probabilities, outcomes, w, members, t.Threshold);
                return new[] { alert, sensitivity, ppv };
            });
        }

        var estimates = bootstrap.Estimate(Statistics, resamples, seed);
        var next = 0;
        CardEstimate Take() => estimates[next++];
        IReadOnlyList<CardTierRates> TakeRates() => [.. thresholds.Select(t => new CardTierRates(t.Name, t.Threshold, Take(), Take(), Take()))];

        var (auroc, auprc, brier, citl, slope, ece) = (Take(), Take(), Take(), Take(), Take(), Take());
        var curve = Enumerable.Range(0, Bins)
            .Select(b => (Bin: b, Members: byRisk.Where(i => binOf[i] == b).ToList(), Observed: Take()))
            .Where(b => b.Members.Count > 0)
            .Select(b => new CardCalibrationBin(b.Members.Count, b.Members.Average(i => probabilities[i]), b.Observed))
            .ToList();
        var metrics = new CardMetrics(
            rows.Count, bootstrap.Patients, outcomes.Count(o => o), auroc, auprc, brier, citl, slope, ece, curve, TakeRates(), Method(resamples));
        var cardBaselines = baselineNames.Select(name => new CardBaseline(name, Take(), Take())).ToList();
        var subgroups = groups.Select(g =>
        {
            var positives = g.Rows.Count(i => outcomes[i]);
            var negatives = g.Rows.Length - positives;
            var groupAuroc = Take();
            var observedToExpected = Take();
            var rates = TakeRates();
            var patients = g.Rows.Select(i => rows[i].PatientId).Distinct(StringComparer.Ordinal).Count();
            var estimable = positives >= MinimumEvents && negatives >= MinimumEvents;
            string? note = !estimable
                ? $"Fewer than {MinimumEvents} events or non-events: AUROC not estimated; read nothing into this group."
                : positives < RecommendedEvents
                    ? $"Fewer than {RecommendedEvents} events: intervals are wide (Collins et al. 2016 recommend at least {RecommendedEvents})."
                    : null;
            return new CardSubgroup(
                g.Name, g.Rows.Length, patients, positives, estimable ? groupAuroc : null, observedToExpected,
                g.Rows.Average(i => probabilities[i]), positives / (double)g.Rows.Length, rates, note);
        }).ToList();
        return new EvaluationResult(metrics, cardBaselines, subgroups);
    }
}
