using ClinicalCds.Application.Abstractions;
using ClinicalCds.Domain.Risks;
using Mediator;

namespace ClinicalCds.Application.Scoring.StartRun;

/// <summary>
/// The orchestrator of one run (cohort × model): creates the run with its chunks, or finds the one this request created
/// before, and enqueues every chunk not yet done. Safe to repeat: a retried orchestrator resumes, a finished run stays as is.
/// </summary>
public sealed record StartRunCommand(string Cohort, string Model, string RequestKey, DateTimeOffset? AsOf, string Trigger) : ICommand<RunStart>;

public sealed class StartRunHandler(IScoringStore store, IScoringQueue queue, ScoringOptions options, RiskCatalog risks, TimeProvider clock)
    : ICommandHandler<StartRunCommand, RunStart>
{
    public async ValueTask<RunStart> Handle(StartRunCommand command, CancellationToken cancellationToken)
    {
        if (!options.EffectiveCohorts.TryGetValue(command.Cohort, out var cohort))
        {
            throw new InvalidOperationException($"The cohort '{command.Cohort}' is not configured (Scoring:Cohorts).");
        }

        risks.Get(command.Model);
        var asOf = options.RunInstant(command.AsOf, clock);
        var start = await store.StartRunAsync(
            new RunRequest(command.RequestKey, command.Cohort, cohort, command.Model, asOf, command.Trigger), options.ChunkSize, cancellationToken);
        foreach (var chunk in start.PendingChunks)
        {
            queue.EnqueueChunk(start.RunId, chunk);
        }

        return start;
    }
}
