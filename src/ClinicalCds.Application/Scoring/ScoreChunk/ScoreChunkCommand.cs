using System.Diagnostics;
using ClinicalCds.Application.Abstractions;
using ClinicalCds.Domain.Features;
using ClinicalCds.Domain.Risks;
using ClinicalCds.Domain.Scoring;
using ClinicalCds.Domain.Timeline;
using Mediator;

namespace ClinicalCds.Application.Scoring.ScoreChunk;

/// <summary>Scores one chunk of a run. Done chunks are left alone, so a repeated job changes nothing.</summary>
public sealed record ScoreChunkCommand(long RunId, int ChunkNo, string Worker) : ICommand<ChunkOutcome>;

public sealed record ChunkOutcome(bool AlreadyDone, int Scored, int Skipped, int Failed);

/// <summary>
/// Streams the chunk's timelines from the store, picks each patient's stay (<see cref="RiskTargets"/>), scores them in
/// batches through the one <see cref="RiskEngine"/>, and commits every patient's outcome at once. A patient whose
/// scoring throws is recorded as failed (by error type: messages may carry data); the others are kept.
/// </summary>
public sealed class ScoreChunkHandler(
    IScoringStore store, IPatientTimelineReader timelines, IRiskModels models, IScoringQueue queue, ScoringOptions options, RiskCatalog risks)
    : ICommandHandler<ScoreChunkCommand, ChunkOutcome>
{
    public const string NotInStore = "not in the store";

    public async ValueTask<ChunkOutcome> Handle(ScoreChunkCommand command, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var work = await store.ClaimChunkAsync(command.RunId, command.ChunkNo, command.Worker, cancellationToken);
        if (work is null)
        {
            return new ChunkOutcome(true, 0, 0, 0);
        }

        var risk = risks.Get(work.Model);
        var records = new List<ScoreRecord>(work.PatientIds.Count);
        var found = new HashSet<string>(StringComparer.Ordinal);
        var batch = new List<(PatientTimeline, RiskTarget)>(options.BatchSize);
        await foreach (var timeline in timelines.ReadAsync(work.PatientIds, cancellationToken))
        {
            found.Add(timeline.PatientId);
            var choice = risk.Choose(timeline, work.AsOf);
            if (choice.Target is not { } target)
            {
                records.Add(new ScoreRecord(timeline.PatientId, ScoreStatus.Skipped, choice.SkipReason));
                continue;
            }

            batch.Add((timeline, target));
            if (batch.Count == options.BatchSize)
            {
                records.AddRange(ScoreBatch(risk, batch));
                batch.Clear();
            }
        }

        records.AddRange(ScoreBatch(risk, batch));
        records.AddRange(work.PatientIds.Where(id => !found.Contains(id)).Select(id => new ScoreRecord(id, ScoreStatus.Skipped, NotInStore)));

        var deliver = options.ExternalFhirEndpoint is not null;
        await store.CompleteChunkAsync(
            work.RunId, work.ChunkNo, records, Stopwatch.GetElapsedTime(started).TotalMilliseconds, deliver, cancellationToken);
        if (deliver)
        {
            queue.EnqueueDelivery(work.RunId, work.ChunkNo);
        }

        return new ChunkOutcome(false, records.Count(r => r.Status == ScoreStatus.Scored), records.Count(r => r.Status == ScoreStatus.Skipped),
            records.Count(r => r.Status == ScoreStatus.Failed));
    }

    private IEnumerable<ScoreRecord> ScoreBatch(RiskDefinition risk, IReadOnlyList<(PatientTimeline Timeline, RiskTarget Target)> batch)
    {
        if (batch.Count == 0)
        {
            return [];
        }

        try
        {
            return RiskEngine.Score(risk, batch, models).Select(Scored).ToList();
        }
        catch (Exception e) when (batch.Count > 1 && e is not OperationCanceledException)
        {
            // One patient's data broke the batch: score them one by one so that only that patient fails.
            return batch.SelectMany(p => ScoreBatch(risk, [p])).ToList();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return [new ScoreRecord(batch[0].Timeline.PatientId, ScoreStatus.Failed, $"error: {e.GetType().Name}")];
        }
    }

    private static ScoreRecord Scored(PatientRisk risk) => new(
        risk.PatientId,
        ScoreStatus.Scored,
        EncounterId: risk.Target.Stay.EncounterId,
        FeaturesAsOf: risk.Features.AsOf,
        Probability: RiskAssessments.ProbabilityOf(risk.Explanation),
        Tier: RiskAssessments.TierOf(risk.Explanation),
        Summary: risk.Explanation.Summary,
        TopFactors: risk.Explanation.TopFactors,
        PublishedScore: risk.Explanation.PublishedScore,
        Method: risk.Explanation.SourceLabel,
        Inputs: risk.Inputs.Values,
        Candidate: risk.Candidate,
        NotRecorded: risk.Explanation.NotRecorded);
}
