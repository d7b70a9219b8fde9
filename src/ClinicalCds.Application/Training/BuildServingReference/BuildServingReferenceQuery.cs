using ClinicalCds.Application.Abstractions;
using ClinicalCds.Application.Models.Evaluation;
using ClinicalCds.Domain.Features;
using ClinicalCds.Domain.Outcomes;
using ClinicalCds.Domain.Risks;
using ClinicalCds.Domain.Scoring;
using Mediator;

namespace ClinicalCds.Application.Training.BuildServingReference;

/// <summary>
/// Each catalog input's <see cref="ServingReference"/> over the development patients of <see cref="Risk"/>'s dataset (the
/// same split as <see cref="BuildDatasetQuery"/> with <see cref="Seed"/>: test patients left out), at the instants a nightly
/// run at <see cref="RunTime"/> in <see cref="Zone"/> would score them up to <see cref="DataCutoff"/>.
/// </summary>
public sealed record BuildServingReferenceQuery(
    RiskDefinition Risk, DateTimeOffset DataCutoff, TimeOnly RunTime, TimeZoneInfo Zone, ulong Seed = 2026, double TestFraction = 0.2)
    : IQuery<ServingReferences>;

/// <summary>The references in the risk's input order (null for an input never recorded) and how many nightly targets they describe.</summary>
public sealed record ServingReferences(int Targets, IReadOnlyList<ServingReference?> Features);

public sealed class BuildServingReferenceHandler(IPatientTimelineReader timelines) : IQueryHandler<BuildServingReferenceQuery, ServingReferences>
{
    public async ValueTask<ServingReferences> Handle(BuildServingReferenceQuery query, CancellationToken cancellationToken)
    {
        var columns = query.Risk.Inputs.Features.Select(_ => new List<double?>()).ToArray();
        await foreach (var timeline in timelines.ReadAllAsync(cancellationToken))
        {
            if (DatasetSplit.IsTest(timeline.PatientId, query.Seed, query.TestFraction))
            {
                continue;
            }

            foreach (var target in NightlyTargets.Of(query.Risk, timeline, query.RunTime, query.Zone, query.DataCutoff))
            {
                var vector = query.Risk.Inputs.Vectorize(FeatureBuilder.Build(timeline, target.Stay.EncounterId, target.Instant)!);
                for (var j = 0; j < columns.Length; j++)
                {
                    columns[j].Add(vector.Values[j]);
                }
            }
        }

        return new ServingReferences(columns[0].Count, [.. columns.Select(ServingReference.Of)]);
    }
}
