using ClinicalCds.Application.Abstractions;
using ClinicalCds.Domain.Features;
using ClinicalCds.Domain.Scores;
using Mediator;

namespace ClinicalCds.Application.Worklist.GetPatientRisk;

/// <summary>A patient's risk page: stored scores and reviews, and the published scores' breakdowns recomputed through the one feature path.</summary>
public sealed record GetPatientRiskQuery(string PatientId, string UserName, string Channel = "view-patient") : IQuery<PatientRiskView?>;

public sealed record PatientRiskView(PatientRiskRecord Record, IReadOnlyDictionary<string, IReadOnlyList<ScoreResult>> PublishedScores);

public sealed class GetPatientRiskHandler(IWorklistStore store, IPatientTimelineReader timelines) : IQueryHandler<GetPatientRiskQuery, PatientRiskView?>
{
    public async ValueTask<PatientRiskView?> Handle(GetPatientRiskQuery query, CancellationToken cancellationToken)
    {
        var record = await store.PatientAsync(query.PatientId, cancellationToken);
        await store.AuditAsync(query.UserName, query.PatientId, query.Channel, record is null ? "not found" : null, cancellationToken);
        if (record is null)
        {
            return null;
        }

        var breakdowns = new Dictionary<string, IReadOnlyList<ScoreResult>>(StringComparer.Ordinal);
        if (record.Latest.Count > 0 && await timelines.ReadAsync([query.PatientId], cancellationToken).FirstOrDefaultAsync(cancellationToken) is { } timeline)
        {
            foreach (var latest in record.Latest)
            {
                // The breakdown at the very instant and stay the stored score was computed for.
                if (FeatureBuilder.Build(timeline, latest.EncounterId, latest.FeaturesAsOf) is { } features)
                {
                    breakdowns[latest.Model] = PublishedScores.All(features);
                }
            }
        }

        return new PatientRiskView(record, breakdowns);
    }
}
