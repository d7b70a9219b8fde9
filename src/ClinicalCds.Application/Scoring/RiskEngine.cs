using ClinicalCds.Application.Abstractions;
using ClinicalCds.Application.Models;
using ClinicalCds.Domain.Explanations;
using ClinicalCds.Domain.Features;
using ClinicalCds.Domain.Risks;
using ClinicalCds.Domain.Scoring;
using ClinicalCds.Domain.Timeline;

namespace ClinicalCds.Application.Scoring;

/// <summary>
/// One patient's explained risk at a stay, with the features it was computed from, the model inputs read from them (the
/// risk's <see cref="RiskDefinition.Inputs"/>) and, while a model has a candidate version, that version's score on the
/// same inputs (kept for monitoring, never shown).
/// </summary>
public sealed record PatientRisk(string PatientId, RiskTarget Target, ClinicalFeatures Features, FeatureVector Inputs, RiskExplanation Explanation)
{
    public ShadowScore? Candidate { get; init; }
}

/// <summary>A candidate version's probability and tier (at its own card's thresholds) for a target the active version answered.</summary>
public sealed record ShadowScore(string Method, double Probability, string Tier);

/// <summary>
/// The one scoring path of hooks and nightly runs: features through the feature builder, then the loaded model (its
/// calibrated probability, tier from its card and exact TreeSHAP factors), or the published score while no model that
/// can explain itself is loaded. Batches go to the model in one call. A candidate version (<see cref="IRiskModels.Candidate"/>)
/// is asked for its probability on the very same vectors; its failure never touches the active answer.
/// </summary>
public static class RiskEngine
{
    public static PatientRisk Score(RiskDefinition risk, PatientTimeline timeline, RiskTarget target, IRiskModels models) =>
        Score(risk, [(timeline, target)], models)[0];

    public static IReadOnlyList<PatientRisk> Score(RiskDefinition risk, IReadOnlyList<(PatientTimeline Timeline, RiskTarget Target)> patients, IRiskModels models)
    {
        var features = patients.Select(p => FeatureBuilder.Build(p.Timeline, p.Target.Stay.EncounterId, p.Target.Instant)
            ?? throw new InvalidOperationException("The target stay is not in the patient's timeline.")).ToList();
        var model = models.Find(risk.Name);
        var vectors = features.Select(risk.Inputs.Vectorize).ToList();
        IReadOnlyList<ModelAssessment>? assessed = null;
        if (model is not null)
        {
            var inference = System.Diagnostics.Stopwatch.GetTimestamp();
            assessed = model.Assess(vectors);
            Telemetry.InferenceDuration.Record(
                System.Diagnostics.Stopwatch.GetElapsedTime(inference).TotalSeconds, new KeyValuePair<string, object?>("model", model.Card.Name));
        }

        // What the card says of how far the model was tested: one sentence per batch, not one per patient.
        var evidence = model?.Card.Evidence;
        var candidate = model is null ? null : models.Candidate(risk.Name);
        var shadow = candidate is null ? null : Shadow(candidate, vectors);
        var risks = new PatientRisk[patients.Count];
        for (var i = 0; i < patients.Count; i++)
        {
            var explanation = assessed?[i] is { } a
                ? ScoreExplanations.FromModel(
                    risk, model!.Card.SourceLabel, a.Probability, model.Card.Tiers.Moderate, model.Card.Tiers.High,
                    FactorWording.Top(risk.Inputs, vectors[i].Values, a.Contributions, 5, features[i]), features[i],
                    new MissingEvidence(a.InputCount, a.Missing, a.PlausibleLow, a.PlausibleHigh) { MainInputsMissing = a.MainInputsMissing, IfNormalLow = a.IfNormalLow }, evidence)
                : risk.Published(features[i]);
            risks[i] = new PatientRisk(patients[i].Timeline.PatientId, patients[i].Target, features[i], vectors[i], explanation)
            {
                Candidate = shadow is null ? null : new ShadowScore(candidate!.Card.SourceLabel, shadow[i], candidate.Card.Tiers.TierOf(shadow[i])),
            };
        }

        return risks;
    }

    private static IReadOnlyList<double>? Shadow(IRiskModel candidate, IReadOnlyList<FeatureVector> vectors)
    {
        try
        {
            return candidate.Predict(vectors);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Telemetry.CandidateFailures.Add(1, new KeyValuePair<string, object?>("model", candidate.Card.Name));
            return null;
        }
    }
}
