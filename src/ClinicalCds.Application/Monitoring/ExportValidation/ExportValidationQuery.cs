using ClinicalCds.Domain.Risks;
using Mediator;

namespace ClinicalCds.Application.Monitoring.ExportValidation;

/// <summary>The served scores of <see cref="Model"/> whose windows have closed by <see cref="Now"/>, with their outcome events, for local validation tools.</summary>
public sealed record ExportValidationQuery(RiskDefinition Model, DateTimeOffset Now) : IQuery<ValidationExport>;

/// <summary>One served prediction with the cohort attributes a validation tool splits by.</summary>
public sealed record ValidationPrediction(
    string PatientId, string EncounterId, DateTimeOffset ScoringTime, double Score, string Method, string? Tier, int? Age, string? Sex, string? Race, string? Ethnicity);

/// <summary>An outcome event: the readmission's admission, the deterioration, at its time.</summary>
public sealed record ValidationEvent(string PatientId, string EncounterId, string Type, DateTimeOffset Time, double Value);

/// <summary>The export: the event's name, its window after a prediction, the predictions and the events.</summary>
public sealed record ValidationExport(
    string Model, string EventName, string EventDisplay, TimeSpan Window, IReadOnlyList<ValidationPrediction> Predictions, IReadOnlyList<ValidationEvent> Events);

/// <summary>
/// Local validation with the field's own tool (issue 22 item 7): every served target, once, labelled by the outcome
/// monitoring's rule (<see cref="ServedOutcomes"/>), as predictions and outcome events — the layout Epic's open-source
/// seismometer reads (an entity, a context, a prediction time and score, cohort attributes; events with a time).
/// </summary>
public sealed class ExportValidationHandler(ServedOutcomes outcomes) : IQueryHandler<ExportValidationQuery, ValidationExport>
{
    public async ValueTask<ValidationExport> Handle(ExportValidationQuery query, CancellationToken cancellationToken)
    {
        var risk = query.Model;
        var labelled = await outcomes.LabelAsync(risk, query.Now, cancellationToken);
        var eventName = $"{char.ToUpperInvariant(risk.Name[0])}{risk.Name[1..]}Event";
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
        return new ValidationExport(risk.Name, eventName, risk.OutcomeDisplay, risk.Window, predictions, events);
    }
}
