namespace ClinicalCds.Synthetic;

/// <summary>
/// What to generate: <paramref name="Patients"/> patients from <paramref name="Seed"/>, with
/// <paramref name="HistoryYears"/> years of care ending at <paramref name="AsOf"/> (UTC). The as-of instant is fixed
/// by default so that the same seed always gives the same bytes.
/// </summary>
public sealed record SyntheticOptions(int Patients, ulong Seed, DateTime AsOf, int HistoryYears = 3)
{
    public static readonly DateTime DefaultAsOf = new(2026, 6, 30, 0, 0, 0, DateTimeKind.Utc);
}
