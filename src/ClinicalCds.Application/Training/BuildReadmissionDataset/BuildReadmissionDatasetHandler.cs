using System.Runtime.CompilerServices;
using ClinicalCds.Application.Abstractions;
using ClinicalCds.Domain.Features;
using ClinicalCds.Domain.Outcomes;
using Mediator;

namespace ClinicalCds.Application.Training.BuildReadmissionDataset;

public sealed class BuildReadmissionDatasetHandler(IPatientTimelineReader timelines) : IStreamQueryHandler<BuildReadmissionDatasetQuery, DatasetRow>
{
    public async IAsyncEnumerable<DatasetRow> Handle(BuildReadmissionDatasetQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var timeline in timelines.ReadAllAsync(cancellationToken))
        {
            var isTest = DatasetSplit.IsTest(timeline.PatientId, query.Seed, query.TestFraction);
            foreach (var example in ReadmissionOutcome.Examples(timeline, query.DataCutoff))
            {
                var features = FeatureBuilder.Build(timeline, example.Stay.EncounterId, example.Discharge)!;
                yield return new DatasetRow(
                    timeline.PatientId, example.Stay.EncounterId, example.Discharge, isTest, example.Readmitted, example.ReadmissionEncounterId,
                    FeatureCatalog.Vectorize(features));
            }
        }
    }
}
