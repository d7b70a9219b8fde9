using ClinicalCds.Domain.Risks;

namespace ClinicalCds.Application.Scoring;

/// <summary>Who is in a cohort, as of a run's instant.</summary>
public enum CohortKind
{
    /// <summary>Patients with an inpatient stay in progress.</summary>
    Admitted,

    /// <summary>Patients discharged from an inpatient stay in the last <see cref="CohortOptions.Days"/> days.</summary>
    DischargedWithin,

    /// <summary>Patients with any encounter that started in the last <see cref="CohortOptions.Months"/> months.</summary>
    EncounterWithin,
}

public sealed class CohortOptions
{
    public CohortKind Kind { get; set; }

    public int Days { get; set; } = 30;

    public int Months { get; set; } = 12;

    /// <summary>The models each run of this cohort scores (one recurring job per model); unset, every known risk.</summary>
    public string[] Models { get; set; } = [];
}

/// <summary>Population scoring (section "Scoring"): the cohorts, their schedule, the chunking, external delivery.</summary>
public sealed class ScoringOptions
{
    public const string Section = "Scoring";

    /// <summary>Cohorts by name; when none are configured, <see cref="DefaultCohorts"/>.</summary>
    public Dictionary<string, CohortOptions> Cohorts { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Cron expression of every cohort's recurring run (Hangfire's five-field cron), in <see cref="TimeZone"/>.</summary>
    public string Cron { get; set; } = "0 2 * * *";

    /// <summary>When the outcome monitoring runs (cron, in <see cref="TimeZone"/>): after the nightly runs.</summary>
    public string MonitoringCron { get; set; } = "0 5 * * *";

    /// <summary>
    /// The outcome monitoring counts a target only when it was first scored within this many hours of its instant
    /// (issue 32 item 4): a nightly run scores yesterday's discharges within about a day, a hook at once. A target first
    /// scored later — a run that failed for two weeks, a backfill — is left out and counted as late: its outcomes up to
    /// the first score were never at stake.
    /// </summary>
    public double MonitoringMaxLagHours { get; set; } = 48;

    /// <summary>IANA or Windows time zone id of <see cref="Cron"/>.</summary>
    public string TimeZone { get; set; } = "UTC";

    /// <summary>
    /// The time of day of the nightly run, when <see cref="Cron"/> is one run a day ("0 2 * * *" is 02:00); null for any
    /// other schedule. Input drift is judged on the nightly runs' inputs against a reference taken at that time.
    /// </summary>
    public TimeOnly? NightlyRunTime
    {
        get
        {
            var fields = Cron.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return fields.Length == 5 && fields[2..].All(f => f == "*")
                && int.TryParse(fields[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var minute) && minute <= 59
                && int.TryParse(fields[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var hour) && hour <= 23
                ? new TimeOnly(hour, minute)
                : null;
        }
    }

    /// <summary>The time zone of <see cref="Cron"/>.</summary>
    public TimeZoneInfo Zone => TimeZoneInfo.FindSystemTimeZoneById(TimeZone);

    /// <summary>Patients per chunk job: the unit of work a worker claims, retries and commits.</summary>
    public int ChunkSize { get; set; } = 1000;

    /// <summary>Patients per model call within a chunk.</summary>
    public int BatchSize { get; set; } = 256;

    /// <summary>
    /// The instant runs score as of, when the store is a snapshot rather than live data (a synthetic or historical
    /// population); unset, runs score as of the minute they are asked for (<see cref="RunInstant(DateTimeOffset?, TimeProvider)"/>).
    /// </summary>
    public DateTimeOffset? AsOf { get; set; }

    /// <summary>
    /// The instant a run scores as of: the one asked for, else <see cref="AsOf"/>, else the current minute (UTC, seconds
    /// dropped). Runs asked for together — a request for every cohort, a night's recurring firings of overlapping
    /// cohorts — thereby share one instant, and a patient both score is scored once at it, not twice seconds apart
    /// (which the worklist would show as a "change" from one to the other).
    /// </summary>
    public DateTimeOffset RunInstant(DateTimeOffset? requested, TimeProvider clock) => RunInstant(requested, clock.GetUtcNow());

    /// <summary>As <see cref="RunInstant(DateTimeOffset?, TimeProvider)"/>, the minute of <paramref name="askedAt"/> standing for the current one.</summary>
    public DateTimeOffset RunInstant(DateTimeOffset? requested, DateTimeOffset askedAt) =>
        (requested ?? AsOf) is { } given
            ? given
            : new DateTimeOffset(askedAt.UtcDateTime.Year, askedAt.UtcDateTime.Month, askedAt.UtcDateTime.Day, askedAt.UtcDateTime.Hour, askedAt.UtcDateTime.Minute, 0, TimeSpan.Zero);

    /// <summary>When set, each chunk's RiskAssessments are also sent to this FHIR server (a transaction Bundle of PUTs).</summary>
    public Uri? ExternalFhirEndpoint { get; set; }

    /// <summary>Bearer token for <see cref="ExternalFhirEndpoint"/> (configure from a secret store or the environment).</summary>
    public string? ExternalFhirToken { get; set; }

    public static IReadOnlyDictionary<string, CohortOptions> DefaultCohorts { get; } = new Dictionary<string, CohortOptions>(StringComparer.Ordinal)
    {
        ["admitted"] = new() { Kind = CohortKind.Admitted, Models = [RiskCatalog.Complication.Name] },
        ["recent-discharges"] = new() { Kind = CohortKind.DischargedWithin, Days = 30, Models = [RiskCatalog.Readmission.Name] },
        ["last-12-months"] = new() { Kind = CohortKind.EncounterWithin, Months = 12 },
    };

    public IReadOnlyDictionary<string, CohortOptions> EffectiveCohorts => Cohorts.Count > 0 ? Cohorts : DefaultCohorts;

    /// <summary>
    /// The options with every cohort's models spelled out (a cohort that names none scores every risk of
    /// <paramref name="risks"/>), or the configuration's mistakes, each in words.
    /// </summary>
    public ScoringOptions Resolved(RiskCatalog risks)
    {
        if (Validate(risks) is [_, ..] errors)
        {
            throw new InvalidOperationException(string.Join(" ", errors));
        }

        foreach (var cohort in Cohorts.Values.Where(c => c.Models.Length == 0))
        {
            cohort.Models = [.. risks.Names];
        }

        if (Cohorts.Count == 0)
        {
            Cohorts = DefaultCohorts.ToDictionary(c => c.Key, c => new CohortOptions
            {
                Kind = c.Value.Kind, Days = c.Value.Days, Months = c.Value.Months, Models = c.Value.Models.Length == 0 ? [.. risks.Names] : c.Value.Models,
            }, StringComparer.Ordinal);
        }

        return this;
    }

    /// <summary>The configuration's mistakes, each in words; empty when it is valid.</summary>
    public IReadOnlyList<string> Validate(RiskCatalog risks)
    {
        var errors = new List<string>();
        foreach (var (name, cohort) in EffectiveCohorts)
        {
            if (!System.Text.RegularExpressions.Regex.IsMatch(name, "^[a-z0-9][a-z0-9-]{0,62}$"))
            {
                errors.Add($"Scoring:Cohorts: '{name}' is not a valid cohort name (lower-case letters, digits and '-').");
            }

            errors.AddRange(cohort.Models.Where(m => !risks.Contains(m))
                .Select(m => $"Scoring:Cohorts:{name}: unknown model '{m}' (known: {risks.Known})."));
            if (cohort.Days <= 0 || cohort.Months <= 0)
            {
                errors.Add($"Scoring:Cohorts:{name}: Days and Months must be positive.");
            }
        }

        if (ChunkSize is < 1 or > 100_000 || BatchSize is < 1 or > 100_000)
        {
            errors.Add("Scoring: ChunkSize and BatchSize must be between 1 and 100,000.");
        }

        return errors;
    }
}
