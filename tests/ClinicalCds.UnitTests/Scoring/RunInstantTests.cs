using ClinicalCds.Application.Abstractions;
using ClinicalCds.Application.Scoring;
using ClinicalCds.Application.Scoring.RequestRuns;
using ClinicalCds.Domain.Risks;

namespace ClinicalCds.UnitTests.Scoring;

/// <summary>
/// The instant a run scores as of: runs asked for together share one, so that a patient two overlapping cohorts both
/// hold is scored once at it — not twice seconds apart, which the worklist would show as a change.
/// </summary>
public sealed class RunInstantTests
{
    private sealed class Clock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private sealed class Queue(Clock clock) : IScoringQueue
    {
        public List<(string Cohort, string Model, DateTimeOffset? AsOf)> Runs { get; } = [];

        public string EnqueueRun(string cohort, string model, string requestKey, DateTimeOffset? asOf)
        {
            Runs.Add((cohort, model, asOf));
            clock.Now = clock.Now.AddSeconds(7); // enqueuing takes time; the instant must not follow it
            return $"job-{Runs.Count}";
        }

        public void EnqueueChunk(long runId, int chunkNo) => throw new NotSupportedException();

        public void EnqueueDelivery(long runId, int chunkNo) => throw new NotSupportedException();
    }

    [Fact]
    public void Without_an_instant_a_run_scores_as_of_the_current_minute_else_the_one_asked_for_else_the_configured_one()
    {
        var clock = new Clock(new DateTimeOffset(2026, 12, 4, 2, 0, 41, 512, TimeSpan.Zero));
        var asked = new DateTimeOffset(2026, 11, 30, 8, 15, 3, TimeSpan.Zero);

        Assert.Equal(new DateTimeOffset(2026, 12, 4, 2, 0, 0, TimeSpan.Zero), new ScoringOptions().RunInstant(null, clock));
        Assert.Equal(asked, new ScoringOptions().RunInstant(asked, clock));
        Assert.Equal(asked, new ScoringOptions { AsOf = asked }.RunInstant(null, clock));
        Assert.Equal(asked, new ScoringOptions { AsOf = asked.AddDays(-1) }.RunInstant(asked, clock));
    }

    [Fact]
    public async Task Every_run_of_one_request_scores_as_of_the_same_instant()
    {
        var clock = new Clock(new DateTimeOffset(2026, 12, 4, 18, 43, 59, TimeSpan.Zero));
        var queue = new Queue(clock);
        var handler = new RequestRunsHandler(queue, new ScoringOptions(), RiskCatalog.Default, clock);

        var requested = await handler.Handle(new RequestRunsCommand(RequestRunsHandler.All, null, null, "cli"), default);

        Assert.Null(requested.Error);
        Assert.True(queue.Runs.Count >= 2, $"{queue.Runs.Count} runs");
        Assert.All(queue.Runs, r => Assert.Equal(new DateTimeOffset(2026, 12, 4, 18, 43, 0, TimeSpan.Zero), r.AsOf));
    }
}
