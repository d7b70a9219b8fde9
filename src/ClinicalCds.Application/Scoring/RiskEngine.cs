using ClinicalCds.Application.Abstractions;
using ClinicalCds.Application.Models;
using ClinicalCds.Domain.Explanations;
using ClinicalCds.Domain.Features;
using ClinicalCds.Domain.Scoring;
using ClinicalCds.Domain.Timeline;

namespace ClinicalCds.Application.Scoring;

/// <summary>The models' names, as their folders under models/ and the cohorts' configuration spell them.</summary>
public static class RiskModelNames
{
    public const string Readmission = "readmission";
    public const string Complication = "complication";

    public static readonly IReadOnlyList<string> All = [Readmission, Complication];

    public static RiskKind KindOf(string model) => model switch
    {
        Readmission => RiskKind.Readmission,
        Complication => RiskKind.Deterioration,
        _ => throw new ArgumentException($"There is no risk model '{model}' (known: {string.Join(", ", All)}).", nameof(model)),
    };

    public static string NameOf(RiskKind kind) => kind == RiskKind.Readmission ? Readmission : Complication;
}

/// <summary>One patient's explained risk at a stay, with the features it was computed from.</summary>
public sealed record PatientRisk(string PatientId, RiskTarget Target, ClinicalFeatures Features, RiskExplanation Explanation);

/// <summary>
/// The one scoring path of hooks and nightly runs: features through the feature builder, then the loaded model (its
/// calibrated probability, tier from its card and exact TreeSHAP factors), or the published score while no model that
/// can explain itself is loaded. Batches go to the model in one call.
/// </summary>
public static class RiskEngine
{
    public static PatientRisk Score(RiskKind kind, PatientTimeline timeline, RiskTarget target, IRiskModels models) =>
        Score(kind, [(timeline, target)], models)[0];

    public static IReadOnlyList<PatientRisk> Score(RiskKind kind, IReadOnlyList<(PatientTimeline Timeline, RiskTarget Target)> patients, IRiskModels models)
    {
        var features = patients.Select(p => FeatureBuilder.Build(p.Timeline, p.Target.Stay.EncounterId, p.Target.Instant)
            ?? throw new InvalidOperationException("The target stay is not in the patient's timeline.")).ToList();
        var model = models.Find(RiskModelNames.NameOf(kind));
        var vectors = features.Select(FeatureCatalog.Vectorize).ToList();
        IReadOnlyList<ModelAssessment>? assessed = null;
        if (model is not null)
        {
            var inference = System.Diagnostics.Stopwatch.GetTimestamp();
            assessed = model.Assess(vectors);
            Telemetry.InferenceDuration.Record(
                System.Diagnostics.Stopwatch.GetElapsedTime(inference).TotalSeconds, new KeyValuePair<string, object?>("model", model.Card.Name));
        }

        var risks = new PatientRisk[patients.Count];
        for (var i = 0; i < patients.Count; i++)
        {
            var explanation = assessed?[i] is { } a
                ? ScoreExplanations.FromModel(
                    kind, $"{model!.Card.Name} model {model.Card.Version}", a.Probability, model.Card.Tiers.Moderate, model.Card.Tiers.High,
                    FactorWording.Top(vectors[i].Values, a.Contributions, 5, features[i]), features[i],
                    new MissingEvidence(a.InputCount, a.Missing, a.PlausibleLow, a.PlausibleHigh))
                : kind == RiskKind.Readmission ? ScoreExplanations.Readmission(features[i]) : ScoreExplanations.Deterioration(features[i]);
            risks[i] = new PatientRisk(patients[i].Timeline.PatientId, patients[i].Target, features[i], explanation);
        }

        return risks;
    }
}
