namespace ClinicalCds.Synthetic;

/// <summary>
/// The care around the record that no model reads — a primary care physician, follow-up visits booked at discharge —
/// drawn from a stream of the patient's own, apart from the record's, so adding it moved no draw of the record or of the
/// ground truth (issue 35 item 4).
/// </summary>
internal sealed class CareAfterDischarge
{
    private readonly Rng _care;
    private readonly SyntheticFhirWriter _fhir;
    private readonly DateTime _asOf;

    public CareAfterDischarge(SyntheticOptions options, int index, SyntheticFhirWriter fhir)
    {
        _care = new Rng(options.Seed, ((ulong)index + 1) | (1UL << 62));
        _fhir = fhir;
        _asOf = options.AsOf;
        PrimaryCare = _care.Chance(PrimaryCareShare) ? _care.Pick(Catalog.PrimaryCarePhysicians) : null;
    }

    /// <summary>
    /// Adults with an identified source of primary care: 75 % in 2015 (Levine DM, Linder JA, Landon BE. Characteristics of
    /// Americans with primary care and changes over time, 2002-2015. JAMA Intern Med 2020;180(3):463-466).
    /// </summary>
    internal const double PrimaryCareShare = 0.75;

    /// <summary>
    /// Discharges with a follow-up visit booked: 63.2 %; of those, 88.2 % attended, 9.8 % missed it and 2.0 % were
    /// readmitted before it (Examination of post-discharge follow-up appointment status and 30-day readmission, J Gen
    /// Intern Med 2021, PMID 33469750; 50,772 patients of 12 hospitals). Attended given not readmitted first: 88.2/98.0.
    /// </summary>
    internal const double FollowUpBookedShare = 0.632, FollowUpAttendedShare = 0.882 / 0.980;

    /// <summary>The visit falls 3 to 14 days after discharge, the windows of transitional care (CMS codes 99495/99496: 7 or 14 days).</summary>
    internal const int FollowUpEarliestDay = 3, FollowUpLatestDay = 14;

    /// <summary>The patient's primary care physician (Patient.generalPractitioner), when they name one.</summary>
    public (string Id, string Given, string Family)? PrimaryCare { get; }

    /// <summary>A follow-up visit booked at a discharge home, at the published share, and what became of it by the as-of instant.</summary>
    public void AtDischarge(string encounterId, DateTime discharge, DateTime? readmittedAt)
    {
        if (!_care.Chance(FollowUpBookedShare))
        {
            return;
        }

        // 9 am to 4 pm in the hospital's zone (UTC−5), on a day 3–14 days after the discharge.
        var start = discharge.Date.AddDays(_care.Int(FollowUpEarliestDay, FollowUpLatestDay + 1)).AddHours(14 + _care.Int(0, 8));
        var attended = _care.Chance(FollowUpAttendedShare);
        var status = readmittedAt is { } back && back < start && back < _asOf ? "cancelled"
            : start >= _asOf ? "booked"
            : attended ? "fulfilled" : "noshow";
        _fhir.Appointment(_care.Uuid(), status, start, discharge, encounterId, PrimaryCare);
    }
}
