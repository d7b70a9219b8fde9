using ClinicalCds.Application.Abstractions;
using ClinicalCds.Domain.Clinical;
using ClinicalCds.Domain.Risks;

namespace ClinicalCds.Application.Monitoring;

/// <summary>A served target with what followed it (by the risk's own outcome rule) and the patient's demographics.</summary>
public sealed record LabelledScore(ServedScore Score, OutcomeExample Outcome, PatientFact? Patient)
{
    /// <summary>The subgroups the monitoring and the validation export report: sex and age band at the scoring instant.</summary>
    public int? AgeYears => Patient?.BirthDate is { } born ? (int)((Score.Instant.UtcDateTime - born.ToDateTime(TimeOnly.MinValue)).TotalDays / 365.25) : null;
}

/// <summary>
/// Every served score of a risk whose outcome window has closed by an instant, labelled from the store by
/// <see cref="RiskDefinition.Outcome"/> — the rule that labels training rows — once per target, as first served.
/// Shared by the outcome monitoring and the local-validation export.
/// </summary>
public sealed class ServedOutcomes(IMonitoringStore store, IPatientTimelineReader timelines, Scoring.ScoringOptions scoring)
{
    /// <summary>
    /// Whether a target counts: first scored within <see cref="Scoring.ScoringOptions.MonitoringMaxLagHours"/> of its
    /// instant (issue 32 item 4). A discharge first scored weeks late was scored knowing it had not yet been readmitted:
    /// counting it would bias the monitoring and the validation export alike. A score without a time counts.
    /// </summary>
    public bool Timely(LabelledScore labelled) => !(labelled.Score.Lag > TimeSpan.FromHours(scoring.MonitoringMaxLagHours));

    public async Task<IReadOnlyList<LabelledScore>> LabelAsync(RiskDefinition risk, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var served = await store.ServedScoresAsync(risk.Name, now - risk.Window, cancellationToken);
        var labelled = new List<LabelledScore>();
        if (served.Count == 0)
        {
            return labelled;
        }

        var byPatient = served.ToLookup(s => s.PatientId, StringComparer.Ordinal);
        await foreach (var timeline in timelines.ReadAsync([.. byPatient.Select(g => g.Key)], cancellationToken))
        {
            foreach (var score in byPatient[timeline.PatientId])
            {
                if (timeline.Encounters.FirstOrDefault(e => e.EncounterId == score.EncounterId) is { } stay
                    && risk.Outcome(timeline, stay, score.Instant, now) is { Label: not null } outcome)
                {
                    labelled.Add(new LabelledScore(score, outcome, timeline.Patient));
                }
            }
        }

        return labelled;
    }
}
