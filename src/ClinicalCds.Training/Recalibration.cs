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
/// explanations, a new Platt (logistic) map from the trees' raw score to probability — the method the model was
/// calibrated with in training (ModelTrainer), refitted by maximum likelihood on the store's targets. The result is a new
/// version whose card records its provenance and the evaluation before and after, in sample and cross-validated by
/// patient; it enters as the candidate, scored in shadow until promoted.
/// </summary>
public static class Recalibration
{
    public const string Method = "logistic";

    /// <summary>Patient folds for the cross-validated estimate.</summary>
    public const int Folds = PatientFolds.Count;

    /// <param name="rawScores">The served model's raw score for each row (<see cref="ModelInference.RawScores(IReadOnlyList{IReadOnlyList{double?}}, Domain.Explanations.InputReference, Domain.Explanations.TreeEnsemble, Func{IReadOnlyList{float[]}, double[]}, InputDependence?)"/>), in row order.</param>
    /// <param name="localScores">
    /// The raw scores with missing inputs completed from distributions refitted on these data
    /// (<see cref="InputDependence.WithLocalMarginals"/>), when the new version completes so: the calibration is fitted on them.
    /// </param>
    public static RecalibrationResult Recalibrate(
        RiskDefinition risk, ModelCard card, IReadOnlyList<DatasetRow> rows, IReadOnlyList<double> rawScores, string data, DateTimeOffset asOf,
        string version, DateTimeOffset now, IReadOnlyList<double>? localScores = null)
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
        var after = Evaluate([.. scores.Select(s => Metrics.Sigmoid(intercept + (slope * s)))]);
        var crossValidated = CrossValidated(chosen, scores, outcomes) is { } folds ? Evaluate(folds) : null;
        var patients = chosen.Select(r => r.PatientId).Distinct(StringComparer.Ordinal).Count();

        var few = events < ModelEvaluation.RecommendedEvents
            ? $"Only {events} events: at least {ModelEvaluation.RecommendedEvents} are needed to estimate calibration with useful precision (Collins, Ogundimu and Altman, Stat Med 2016;35:214-26), so this calibration cannot be validated on these data; the intervals say how little they establish. "
            : string.Empty;
        var completions = localCompletions
            ? $"Missing inputs are completed with each input's distribution refitted on {data} (where recorded at least {InputDependence.MinLocalValues} times; how the inputs vary together kept from training), and the calibration fitted on the scores so completed. "
            : string.Empty;
        var note = $"Refitted from {card.Name} {card.Version} on {data} ({outcomes.Length:N0} targets, {patients:N0} patients, {events:N0} events, data up to {asOf:yyyy-MM-dd}): "
            + $"probability = 1 / (1 + exp(-(intercept + slope * Score.output))), maximum likelihood. {completions}{few}"
            + "In sample the fit is calibrated by construction (calibration-in-the-large 0, slope 1); the cross-validated row is the honest estimate.";
        var recalibrated = card with
        {
            Version = version,
            Calibration = new CardCalibration("platt", intercept, slope, note),
            // Evaluations of the version it came from were of another calibration; this version's own is its recalibration record.
            ExternalEvaluations = null,
            Manifest = null,
            Recalibration = new CardRecalibration(card.Version, data, asOf, now, Method, outcomes.Length, patients, events, before, after, crossValidated, note)
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
    private static double[]? CrossValidated(IReadOnlyList<DatasetRow> rows, double[] scores, bool[] outcomes)
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

            var (a, b) = LogisticFit.Fit([.. train.Select(i => scores[i])], trainOutcomes);
            foreach (var i in Enumerable.Range(0, rows.Count).Where(i => fold[i] == f))
            {
                probabilities[i] = Metrics.Sigmoid(a + (b * scores[i]));
            }
        }

        return probabilities;
    }
}
