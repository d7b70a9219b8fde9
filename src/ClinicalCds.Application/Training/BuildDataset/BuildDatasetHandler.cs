using System.Runtime.CompilerServices;
using ClinicalCds.Application.Abstractions;
using ClinicalCds.Domain.Features;
using ClinicalCds.Domain.Outcomes;
using ClinicalCds.Domain.Scores;
using Mediator;

namespace ClinicalCds.Application.Training.BuildDataset;

public sealed class BuildDatasetHandler(IPatientTimelineReader timelines) : IStreamQueryHandler<BuildDatasetQuery, DatasetRow>
{
    public async IAsyncEnumerable<DatasetRow> Handle(BuildDatasetQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var timeline in timelines.ReadAllAsync(cancellationToken))
        {
            var isTest = DatasetSplit.IsTest(timeline.PatientId, query.Seed, query.TestFraction);
            var examples = query.Model == RiskModelKind.Readmission
                ? ReadmissionOutcome.Examples(timeline, query.DataCutoff)
                    .Select(e => (e.Stay.EncounterId, Instant: e.Discharge, Label: e.Readmitted, Event: e.ReadmissionEncounterId))
                : ComplicationOutcome.Examples(timeline, query.DataCutoff)
                    .Select(e => (e.Stay.EncounterId, Instant: e.ScoredAt, Label: e.Deteriorated, Event: e.EventType));
            foreach (var (encounterId, instant, label, what) in examples)
            {
                var features = FeatureBuilder.Build(timeline, encounterId, instant)!;
                var baselines = new Dictionary<string, int>
                {
                    ["LACE"] = Lace.Score(PublishedScores.LaceInputOf(features)).Total,
                    ["HOSPITAL"] = Hospital.Score(PublishedScores.HospitalInputOf(features)).Total,
                    ["NEWS2"] = News2.Score(PublishedScores.News2InputOf(features)).Total,
                };
                yield return new DatasetRow(
                    timeline.PatientId, encounterId, instant, isTest, label, what, FeatureCatalog.Vectorize(features), baselines,
                    timeline.Patient?.Race, timeline.Patient?.Ethnicity);
            }
        }
    }
}
