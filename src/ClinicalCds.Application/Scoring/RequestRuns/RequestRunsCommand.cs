using ClinicalCds.Application.Abstractions;
using ClinicalCds.Domain.Risks;
using Mediator;

namespace ClinicalCds.Application.Scoring.RequestRuns;

/// <summary>
/// Asks for runs now (the CLI's `score`, the admin API): <paramref name="Cohort"/> is a configured cohort or "all";
/// <paramref name="Model"/> narrows to one of the cohort's models. Each run is enqueued as an orchestrator job; all of
/// them share the returned request key (runs are found by it).
/// </summary>
public sealed record RequestRunsCommand(string Cohort, string? Model, DateTimeOffset? AsOf, string Trigger) : ICommand<RunsRequested>;

public sealed record RequestedRun(string Cohort, string Model, string RequestKey, string JobId);

/// <summary>The runs enqueued under one request key, or why none was (unknown cohort or model).</summary>
public sealed record RunsRequested(string RequestKey, IReadOnlyList<RequestedRun> Runs, string? Error);

public sealed class RequestRunsHandler(IScoringQueue queue, ScoringOptions options, RiskCatalog risks, TimeProvider clock) : ICommandHandler<RequestRunsCommand, RunsRequested>
{
    public const string All = "all";

    public ValueTask<RunsRequested> Handle(RequestRunsCommand command, CancellationToken cancellationToken)
    {
        var requestKey = $"{command.Trigger}:{Guid.NewGuid():N}";
        var cohorts = options.EffectiveCohorts;
        if (command.Cohort != All && !cohorts.ContainsKey(command.Cohort))
        {
            return Failed(requestKey, $"Unknown cohort '{command.Cohort}'. Configured: {string.Join(", ", cohorts.Keys)} (or '{All}').");
        }

        if (command.Model is { } model && !risks.Contains(model))
        {
            return Failed(requestKey, $"Unknown model '{model}'. Known: {risks.Known}.");
        }

        var wanted = cohorts
            .Where(c => command.Cohort == All || c.Key == command.Cohort)
            .SelectMany(c => c.Value.Models.Where(m => command.Model is null || m == command.Model).Select(m => (Cohort: c.Key, Model: m)))
            .OrderBy(r => r.Cohort, StringComparer.Ordinal).ThenBy(r => r.Model, StringComparer.Ordinal)
            .ToList();
        if (wanted.Count == 0)
        {
            return Failed(requestKey, $"The cohort '{command.Cohort}' is not scored with the model '{command.Model}'.");
        }

        // One request, one instant: every run of it scores as of the same moment, however long its turn in the queue.
        var asOf = options.RunInstant(command.AsOf, clock);
        var runs = wanted.Select(r =>
        {
            var key = $"{requestKey}:{r.Cohort}:{r.Model}";
            return new RequestedRun(r.Cohort, r.Model, key, queue.EnqueueRun(r.Cohort, r.Model, key, asOf));
        }).ToList();
        return ValueTask.FromResult(new RunsRequested(requestKey, runs, null));
    }

    private static ValueTask<RunsRequested> Failed(string key, string error) => ValueTask.FromResult(new RunsRequested(key, [], error));
}
