using System.Runtime.CompilerServices;
using ClinicalCds.Application.Abstractions;
using ClinicalCds.Domain.Features;
using ClinicalCds.Domain.Outcomes;
using Mediator;

namespace ClinicalCds.Application.Training.BuildDataset;

public sealed class BuildDatasetHandler(IPatientTimelineReader timelines) : IStreamQueryHandler<BuildDatasetQuery, DatasetRow>
{
    public async IAsyncEnumerable<DatasetRow> Handle(BuildDatasetQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var timeline in timelines.ReadAllAsync(cancellationToken))
        {
            var isTest = DatasetSplit.IsTest(timeline.PatientId, query.Seed, query.TestFraction);
            foreach (var example in query.Risk.Examples(timeline, query.DataCutoff))
            {
                var features = FeatureBuilder.Build(timeline, example.Stay.EncounterId, example.Instant)!;
                var baselines = query.Risk.Baselines.ToDictionary(b => b.Name, b => b.Score(features).Total, StringComparer.Ordinal);
                yield return new DatasetRow(
                    timeline.PatientId, example.Stay.EncounterId, example.Instant, isTest, example.Label, example.Event, query.Risk.Inputs.Vectorize(features),
                    baselines, timeline.Patient?.Race, timeline.Patient?.Ethnicity);
            }
        }
    }
}
