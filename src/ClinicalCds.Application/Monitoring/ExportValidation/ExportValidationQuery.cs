using ClinicalCds.Application.Abstractions;
using ClinicalCds.Domain.Risks;
using Mediator;

namespace ClinicalCds.Application.Monitoring.ExportValidation;

/// <summary>
/// The served scores of <see cref="Model"/> whose windows have closed by <see cref="Now"/>, with their outcome events, for
/// local validation tools: the active version's, or <see cref="Version"/>'s (the active version or the candidate in shadow).
/// </summary>
public sealed record ExportValidationQuery(RiskDefinition Model, DateTimeOffset Now, string? Version = null) : IQuery<ValidationExport>;

/// <summary>One served prediction with the cohort attributes a validation tool splits by.</summary>
public sealed record ValidationPrediction(
    string PatientId, string EncounterId, DateTimeOffset ScoringTime, double Score, string Method, string? Tier, int? Age, string? Sex, string? Race, string? Ethnicity);

/// <summary>An outcome event: the readmission's admission, the deterioration, at its time.</summary>
public sealed record ValidationEvent(string PatientId, string EncounterId, string Type, DateTimeOffset Time, double Value);

/// <summary>
/// The export: the method exported (<see cref="Method"/>, null when no such version is served), the event's name and
/// display, its window after a prediction, the tiers' thresholds (high first), the predictions and the events, and the
/// targets left out because they were first scored late (<see cref="Late"/>).
/// </summary>
public sealed record ValidationExport(
    string Model, string? Method, string EventName, string EventDisplay, TimeSpan Window, IReadOnlyList<double> Thresholds,
    IReadOnlyList<ValidationPrediction> Predictions, IReadOnlyList<ValidationEvent> Events, int Late);

/// <summary>
/// Local validation with the field's own tool (issue 22 item 7, issue 32 item 6): every served target of one model
/// version, once, labelled by the outcome monitoring's rule (<see cref="ServedOutcomes"/>, its lag rule included), as
/// predictions and outcome events — the layout Epic's open-source seismometer reads. One version per export: seismometer
/// keeps one prediction per entity, context and time, so a candidate's shadow rows beside the active version's would be
/// dropped as duplicates, whichever it happened to keep.
/// </summary>
public sealed class ExportValidationHandler(ServedOutcomes outcomes, IRiskModels models) : IQueryHandler<ExportValidationQuery, ValidationExport>
{
    public async ValueTask<ValidationExport> Handle(ExportValidationQuery query, CancellationToken cancellationToken)
    {
        var risk = query.Model;
        var eventName = $"{char.ToUpperInvariant(risk.Name[0])}{risk.Name[1..]}Event";
        var (active, candidate) = (models.Find(risk.Name), models.Candidate(risk.Name));
        var (model, shadow) = query.Version is null || active?.Card.Version == query.Version ? (active, false)
            : candidate?.Card.Version == query.Version ? (candidate, true)
            : (null, false);
        if (model is null)
        {
            return new ValidationExport(risk.Name, null, eventName, risk.OutcomeDisplay, risk.Window, [], [], [], 0);
        }

        var method = model.Card.SourceLabel;
        var ofVersion = (await outcomes.LabelAsync(risk, query.Now, cancellationToken))
            .Where(s => s.Score.Method == method && s.Score.Shadow == shadow).ToList();
        var labelled = ofVersion.Where(outcomes.Timely).ToList();
        var predictions = labelled
            .OrderBy(s => s.Score.PatientId, StringComparer.Ordinal).ThenBy(s => s.Score.Instant)
            .Select(s => new ValidationPrediction(
                s.Score.PatientId, s.Score.EncounterId, s.Score.Instant, s.Score.Probability, s.Score.Method, s.Score.Tier, s.AgeYears,
                s.Patient?.Sex, s.Patient?.Race, s.Patient?.Ethnicity))
            .ToList();
        var events = labelled
            .Where(s => s.Outcome.Label == true)
            .Select(s => new ValidationEvent(s.Score.PatientId, s.Score.EncounterId, eventName, s.Outcome.EventAt ?? s.Score.Instant, 1))
            .Distinct()
            .ToList();
        return new ValidationExport(
            risk.Name, method, eventName, risk.OutcomeDisplay, risk.Window, [model.Card.Tiers.High, model.Card.Tiers.Moderate],
            predictions, events, ofVersion.Count - labelled.Count);
    }
}
