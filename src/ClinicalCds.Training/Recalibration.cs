using ClinicalCds.Domain.Models;
using ClinicalCds.Application.Models;
using ClinicalCds.Application.Models.Evaluation;
using ClinicalCds.Application.Training.BuildDataset;
using ClinicalCds.Domain.Risks;

namespace ClinicalCds.Training;

/// <summary>What a recalibration gives: the new version's card (not yet written), or why there is none.</summary>
public sealed record RecalibrationResult(ModelCard? Card, string? Error)
{
    public string? Warning { get; init; }
}

/// <summary>
/// A model's calibration refitted on a hospital's own labelled outcomes (issue 32 item 1): the same trees, inputs and
/// explanations, a new map from the trees' raw score to probability — logistic (Platt, the method the model was
/// calibrated with in training, ModelTrainer), refitted by maximum likelihood on the store's targets, or isotonic
/// (<see cref="IsotonicFit"/>, ADR 0011) where there are events enough for a flexible map. The result is a new
/// version whose card records its provenance and the evaluation before and after, in sample and cross-validated by
/// patient; it enters as the candidate, scored in shadow until promoted.
/// </summary>
public static class Recalibration
{
    public const string Logistic = "logistic";

    public const string Isotonic = "isotonic";

    public static readonly IReadOnlyList<string> Methods = [Logistic, Isotonic];

    /// <summary>
    /// Events (and non-events) an isotonic map needs: a flexible calibration curve is estimated with useful precision only
    /// from about 200 of each (Van Calster et al., "A calibration hierarchy for risk models was defined: from utopia to
    /// empirical data", J Clin Epidemiol 2016;74:167-76; Collins, Ogundimu and Altman, Stat Med 2016;35:214-26: 200 or
    /// more events for calibration plots), and below that its steps follow chance; the logistic map's two parameters need fewer.
    /// </summary>
    public const int IsotonicMinimumEvents = 200;

    /// <summary>Patient folds for the cross-validated estimate.</summary>
    public const int Folds = PatientFolds.Count;

    /// <param name="rawScores">The served model's raw score for each row (<see cref="ModelInference.RawScores(IReadOnlyList{IReadOnlyList{double?}}, Domain.Models.InputReference, Domain.Models.TreeEnsemble, Func{IReadOnlyList{float[]}, double[]}, InputDependence?)"/>), in row order.</param>
    /// <param name="localScores">
    /// The raw scores with missing inputs completed from distributions refitted on these data
    /// (<see cref="InputDependence.WithLocalMarginals"/>), when the new version completes so: the calibration is fitted on them.
    /// </param>
    public static RecalibrationResult Recalibrate(
        RiskDefinition risk, ModelCard card, IReadOnlyList<DatasetRow> rows, IReadOnlyList<double> rawScores, string data, DateTimeOffset asOf,
        string version, DateTimeOffset now, IReadOnlyList<double>? localScores = null, string method = Logistic)
    {
        var localCompletions = localScores is not null;
        var labelled = Enumerable.Range(0, rows.Count).Where(i => rows[i].Label is not null).ToArray();
        var outcomes = labelled.Select(i => rows[i].Label == true).ToArray();
        var served = labelled.Select(i => rawScores[i]).ToArray();
        var scores = labelled.Select(i => (localScores ?? rawScores)[i]).ToArray();
        var events = outcomes.Count(o => o);
        if (events < 2 || outcomes.Length - events < 2)
        {
            return new(null, $"{outcomes.Length:N0} labelled {risk.Name} targets ({events:N0} with the outcome): too few to fit a calibration.");
        }

        if (method == Isotonic && Math.Min(events, outcomes.Length - events) < IsotonicMinimumEvents)
        {
            return new(null, $"{events:N0} events and {outcomes.Length - events:N0} without among {outcomes.Length:N0} labelled {risk.Name} targets: an isotonic map needs at least {IsotonicMinimumEvents} of each (Van Calster et al., J Clin Epidemiol 2016;74:167-76; Collins, Ogundimu and Altman, Stat Med 2016;35:214-26) — with fewer its steps follow chance. Use --method logistic, which fits two parameters.");
        }

        var (intercept, slope) = LogisticFit.Fit(scores, outcomes);
        if (!(slope > 0))
        {
            // A slope at or below zero would make a higher score a lower risk: it would undo the model, not recalibrate it.
            return new(null, $"The refitted calibration slope is {slope:G3}: on these patients the model's scores do not rank the outcome, so no calibration can make it useful; retrain or keep the published score.");
        }

        var chosen = labelled.Select(i => rows[i]).ToList();
        var baselines = risk.Baselines.Select(b => b.Name).ToList();
        CardMetrics Evaluate(IReadOnlyList<double> probabilities) =>
            ModelEvaluation.Evaluate(ModelTrainer.EvaluatedRows(risk, chosen, probabilities), baselines, card.Tiers).Metrics;

        var before = Evaluate([.. served.Select(s => ModelInference.Calibrate(card, s))]);
        var calibration = Fit(method, scores, outcomes, intercept, slope);
        var after = Evaluate([.. scores.Select(calibration.Probability)]);
        var crossValidated = CrossValidated(chosen, scores, outcomes, method) is { } folds ? Evaluate(folds) : null;
        var patients = chosen.Select(r => r.PatientId).Distinct(StringComparer.Ordinal).Count();

        var few = events < ModelEvaluation.RecommendedEvents
            ? $"Only {events} events: at least {ModelEvaluation.RecommendedEvents} are needed to estimate calibration with useful precision (Collins, Ogundimu and Altman, Stat Med 2016;35:214-26), so this calibration cannot be validated on these data; the intervals say how little they establish. "
            : string.Empty;
        var completions = localCompletions
            ? $"Missing inputs are completed with each input's distribution refitted on {data} (where recorded at least {InputDependence.MinLocalValues} times; how the inputs vary together kept from training), the stated range moved by margins fitted on its charts to hold 8 in 10 of them (ADR 0015), and the calibration fitted on the scores so completed. "
            : string.Empty;
        var map = method == Isotonic
            ? $"probability = the isotonic (pooled adjacent violators) rate of Score.output, {calibration.Knots!.Count} knots joined by straight lines and flat beyond the first and last; explanations are scaled to it by the secant between the expected and the patient's score. "
            : "probability = 1 / (1 + exp(-(intercept + slope * Score.output))), maximum likelihood. ";
        var note = $"Refitted from {card.Name} {card.Version} on {data} ({outcomes.Length:N0} targets, {patients:N0} patients, {events:N0} events, data up to {asOf:yyyy-MM-dd}): "
            + $"{map}{completions}{few}"
            + (method == Isotonic
                ? "In sample the fit follows the outcomes closely (optimistic); the cross-validated row is the honest estimate."
                : "In sample the fit is calibrated by construction (calibration-in-the-large 0, slope 1); the cross-validated row is the honest estimate.");
        var recalibrated = card with
        {
            Version = version,
            Calibration = calibration with { Note = note },
            // Evaluations of the version it came from were of another calibration; this version's own is its recalibration record.
            ExternalEvaluations = null,
            Manifest = null,
            Recalibration = new CardRecalibration(card.Version, data, asOf, now, method, outcomes.Length, patients, events, before, after, crossValidated, note)
            {
                Completions = localCompletions ? "local" : null,
            },
            MissingInputs = localCompletions ? $"{card.MissingInputs} Recalibrated on {data}: {completions.TrimEnd()}" : card.MissingInputs,
            Warning = $"{card.Warning} Recalibrated from {card.Version} on {data}: the test-split figures above are the original calibration's; discrimination is unchanged (a monotone map), calibration is the recalibration record's.",
        };
        return new(recalibrated, null) { Warning = few.Length > 0 ? few.TrimEnd() : null };
    }

    /// <summary>
    /// Each row's probability from a calibration fitted on the other folds' patients (patients dealt to <see cref="Folds"/>
    /// folds in order of id); null when a fold's complement lacks events or non-events to fit on.
    /// </summary>
    /// <summary>The map <paramref name="method"/> fits (the logistic fit given, kept beside an isotonic map for comparison).</summary>
    private static CardCalibration Fit(string method, double[] scores, bool[] outcomes, double intercept, double slope) => method == Isotonic
        ? new CardCalibration(CardCalibration.Isotonic, intercept, slope, string.Empty) { Knots = IsotonicFit.Fit(scores, outcomes) }
        : new CardCalibration(CardCalibration.Platt, intercept, slope, string.Empty);

    private static double[]? CrossValidated(IReadOnlyList<DatasetRow> rows, double[] scores, bool[] outcomes, string method)
    {
        var fold = PatientFolds.Of([.. rows.Select(r => r.PatientId)], Folds);
        var probabilities = new double[rows.Count];
        for (var f = 0; f < Folds; f++)
        {
            var train = Enumerable.Range(0, rows.Count).Where(i => fold[i] != f).ToArray();
            var trainOutcomes = train.Select(i => outcomes[i]).ToArray();
            if (trainOutcomes.Count(o => o) < 2 || trainOutcomes.Count(o => !o) < 2)
            {
                return null;
            }

            var trainScores = train.Select(i => scores[i]).ToArray();
            var (a, b) = LogisticFit.Fit(trainScores, trainOutcomes);
            var calibration = Fit(method, trainScores, trainOutcomes, a, b);
            foreach (var i in Enumerable.Range(0, rows.Count).Where(i => fold[i] == f))
            {
                probabilities[i] = calibration.Probability(scores[i]);
            }
        }

        return probabilities;
    }
}
