using ClinicalCds.Application.Scoring;
using Hangfire;
using Hangfire.Storage;

namespace ClinicalCds.Infrastructure.Jobs;

/// <summary>
/// The one place recurring runs are registered: a job per cohort × model with a fixed id ("score:COHORT:MODEL"), the
/// configured cron expression and time zone. Recurring scoring jobs no longer configured are removed.
/// </summary>
public static class RecurringScoring
{
    public const string Prefix = "score:";

    /// <summary>The recurring outcome monitoring (Scoring:MonitoringCron, in the scoring time zone).</summary>
    public const string MonitoringJobId = "monitor:outcomes";

    public static string JobId(string cohort, string model) => $"{Prefix}{cohort}:{model}";

    public static IReadOnlyList<string> Register(IRecurringJobManager manager, JobStorage storage, ScoringOptions options)
    {
        var timeZone = options.Zone;
        var wanted = new List<string>();
        foreach (var (cohort, definition) in options.EffectiveCohorts)
        {
            foreach (var model in definition.Models)
            {
                var id = JobId(cohort, model);
                manager.AddOrUpdate<ScoringJobs>(
                    id, j => j.StartRun(cohort, model, null, null, null), options.Cron, new RecurringJobOptions { TimeZone = timeZone });
                wanted.Add(id);
            }
        }

        manager.AddOrUpdate<ScoringJobs>(
            MonitoringJobId, j => j.MonitorOutcomes(CancellationToken.None), options.MonitoringCron, new RecurringJobOptions { TimeZone = timeZone });

        using var connection = storage.GetConnection();
        foreach (var stale in connection.GetRecurringJobs().Select(j => j.Id).Where(id => id.StartsWith(Prefix, StringComparison.Ordinal) && !wanted.Contains(id)))
        {
            manager.RemoveIfExists(stale);
        }

        return wanted;
    }
}
