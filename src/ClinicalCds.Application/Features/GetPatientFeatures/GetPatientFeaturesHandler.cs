using ClinicalCds.Application.Abstractions;
using ClinicalCds.Domain.Features;
using Mediator;

namespace ClinicalCds.Application.Features.GetPatientFeatures;

public sealed class GetPatientFeaturesHandler(IPatientTimelineReader timelines, TimeProvider clock)
    : IQueryHandler<GetPatientFeaturesQuery, PatientFeaturesResult>
{
    public async ValueTask<PatientFeaturesResult> Handle(GetPatientFeaturesQuery query, CancellationToken cancellationToken)
    {
        var timeline = await timelines.ReadAsync([query.PatientId], cancellationToken).FirstOrDefaultAsync(cancellationToken);
        if (timeline is null)
        {
            return new PatientFeaturesResult(PatientFeaturesStatus.PatientNotFound, $"Patient/{query.PatientId} is not in the store.");
        }

        var asOf = query.AsOf ?? clock.GetUtcNow();
        var stay = query.EncounterId is { } id
            ? timeline.Encounters.FirstOrDefault(e => e.EncounterId == id && e.Start <= asOf)
            : IndexStays.LatestStay(timeline, asOf);
        if (stay is null)
        {
            return new PatientFeaturesResult(PatientFeaturesStatus.NoStay, query.EncounterId is null
                ? $"Patient/{query.PatientId} has no inpatient stay that started by {asOf:O}."
                : $"Encounter/{query.EncounterId} of Patient/{query.PatientId} had not started by {asOf:O} or is unknown.");
        }

        var features = FeatureBuilder.Build(timeline, stay.EncounterId, IndexStays.InstantFor(stay, asOf))!;
        return new PatientFeaturesResult(
            PatientFeaturesStatus.Found, "ok", features, FeatureCatalog.Vectorize(features), PublishedScores.All(features));
    }
}
