namespace ClinicalCds.Synthetic;

/// <summary>
/// What to generate: <paramref name="Patients"/> patients from <paramref name="Seed"/>, with
/// <paramref name="HistoryYears"/> years of care ending at <paramref name="AsOf"/> (UTC). The as-of instant is fixed
/// by default so that the same seed always gives the same bytes. With <see cref="RecentCareDays"/> the population is a
/// hospital's active patients — simulated patients are kept, in order, only when in hospital at the as-of instant or
/// discharged alive within that many days before it, until <paramref name="Patients"/> are kept (the demo's worklists).
/// </summary>
public sealed record SyntheticOptions(int Patients, ulong Seed, DateTime AsOf, int HistoryYears = 3)
{
    public int? RecentCareDays { get; init; }

    public static readonly DateTime DefaultAsOf = new(2026, 6, 30, 0, 0, 0, DateTimeKind.Utc);
}
