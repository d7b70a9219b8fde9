namespace ClinicalCds.Application.Worklist;

public enum WorklistSort
{
    Risk,
    Change,
    Discharge,
    Name,
}

/// <summary>What the care manager asked to see: one model's latest scores, filtered, searched, sorted and paged.</summary>
public sealed record WorklistFilter(
    string? Model = null,
    IReadOnlyList<string>? Tiers = null,
    string? Service = null,
    DateOnly? DischargedFrom = null,
    DateOnly? DischargedTo = null,
    bool UnreviewedOnly = false,
    bool AssignedToMe = false,
    string? Search = null,
    WorklistSort Sort = WorklistSort.Risk,
    bool Descending = true,
    int Page = 1,
    int PageSize = 25)
{
    public const int MaxPageSize = 500;

    /// <summary>The filter as every worklist use case reads it: a known model (else the first), a page from 1, a page size within bounds, a trimmed search.</summary>
    public WorklistFilter Normalized(Domain.Risks.RiskCatalog risks) => this with
    {
        Model = risks.Find(Model)?.Name ?? risks.All[0].Name,
        Page = Math.Max(1, Page),
        PageSize = Math.Clamp(PageSize, 1, MaxPageSize),
        Search = string.IsNullOrWhiteSpace(Search) ? null : Search.Trim(),
    };
}

public sealed record WorklistRow(
    string PatientId,
    string? Name,
    string? Mrn,
    string Model,
    double? Probability,
    string Tier,
    string? PreviousTier,
    double? PreviousProbability,
    bool TierChanged,
    string? TopFactor,
    string? Service,
    DateTimeOffset? Discharge,
    bool Reviewed,
    string? Assignee,
    DateTimeOffset AsOf,
    string Summary)
{
    /// <summary>Change of probability since the previous run (null when either is missing).</summary>
    public double? Change => Probability is { } now && PreviousProbability is { } before ? now - before : null;

    /// <summary>Age in whole years at the scoring instant.</summary>
    public int? AgeYears { get; init; }

    /// <summary>When the scored stay began.</summary>
    public DateTimeOffset? Admitted { get; init; }

    /// <summary>Where the patient went at discharge, in words (HL7 discharge-disposition display).</summary>
    public string? Disposition { get; init; }

    /// <summary>The patient's primary care provider (Patient.generalPractitioner), when recorded.</summary>
    public string? PrimaryCare { get; init; }

    /// <summary>The next booked appointment on or after the discharge (or the scoring instant), when recorded.</summary>
    public DateTimeOffset? FollowUp { get; init; }

    /// <summary>The factors that drove the score, strongest first (the worklist shows three).</summary>
    public IReadOnlyList<string> TopFactors { get; init; } = [];

    /// <summary>What the model did not know, as the card said it (the missing-data caveat); null when nothing was missing.</summary>
    public string? NotRecorded { get; init; }

    /// <summary>The caveat's first sentence ("Not recorded: 9 of the model's 78 inputs"), for the list; the whole of it on hover and on the patient's page.</summary>
    public string? NotRecordedHeadline => NotRecorded is { } text
        ? text.Split(". ", 2)[0].Split(", none of which", 2)[0].TrimEnd('.')
        : null;

    /// <summary>
    /// Days in hospital as the features, LACE and HOSPITAL count them: calendar days of the hospital's calendar from the
    /// admission to the discharge, or to the scoring instant for a stay in progress (<see cref="Dated"/>; issue 35 item 3).
    /// </summary>
    public int? LengthOfStayDays { get; init; }

    /// <summary>The discharge's date in the hospital's calendar.</summary>
    public DateOnly? DischargeDate { get; init; }

    /// <summary>Calendar days from the discharge's date to today's in the hospital's calendar: 0 is "today", 1 "1 day ago".</summary>
    public int? DaysSinceDischarge { get; init; }

    /// <summary>The row with its dates in the hospital's calendar (<paramref name="time"/>) as of <paramref name="now"/>.</summary>
    public WorklistRow Dated(Domain.Clinical.HospitalTime time, DateTimeOffset now) => this with
    {
        LengthOfStayDays = Admitted is { } start ? time.CalendarDays(start, Discharge ?? AsOf) : null,
        DischargeDate = Discharge is { } end ? time.DateOf(end) : null,
        DaysSinceDischarge = Discharge is { } discharged ? time.CalendarDays(discharged, now) : null,
    };
}

public sealed record WorklistPage(IReadOnlyList<WorklistRow> Rows, long Total, WorklistFilter Filter)
{
    public int Pages => (int)Math.Max(1, (Total + Filter.PageSize - 1) / Filter.PageSize);
}

public sealed record ScorePoint(long RunId, DateTimeOffset AsOf, double? Probability, string Tier);

public sealed record LatestScore(
    string Model, long RunId, DateTimeOffset AsOf, string EncounterId, DateTimeOffset FeaturesAsOf, double? Probability, string Tier,
    string? PreviousTier, bool TierChanged, string Summary, IReadOnlyList<string> TopFactors, string PublishedScore, string Method);

public sealed record ReviewState(string Model, bool Reviewed, DateTimeOffset? ReviewedAt, string? ReviewedBy, string? Assignee);

public sealed record ReviewEvent(string Model, DateTimeOffset At, string UserName, string Action, string? Detail)
{
    /// <summary>The action in words, naming whom an assignment was to: "assigned to a@b", "unassigned", "note: …".</summary>
    public string Described => (Action, Detail) switch
    {
        ("assigned", null) => "unassigned",
        ("assigned", { } to) => $"assigned to {to}",
        (_, null) => Action,
        (_, { } detail) => $"{Action}: {detail}",
    };
}

public sealed record EncounterSummary(string EncounterId, string? ClassCode, string? Type, string? Service, DateTimeOffset? Start, DateTimeOffset? End, string? Disposition);

public sealed record LabValue(string Code, string Name, double? Value, string? Unit, DateTimeOffset? At);

/// <summary>Everything the patient page shows, as stored.</summary>
public sealed record PatientRiskRecord(
    string PatientId,
    string? Name,
    string? Mrn,
    DateOnly? BirthDate,
    string? Sex,
    IReadOnlyList<LatestScore> Latest,
    IReadOnlyDictionary<string, IReadOnlyList<ScorePoint>> History,
    IReadOnlyList<ReviewState> Reviews,
    IReadOnlyList<ReviewEvent> Events,
    IReadOnlyList<EncounterSummary> Encounters,
    IReadOnlyList<LabValue> Labs);

public enum ReviewActionKind
{
    Reviewed,
    Unreviewed,
    Assigned,
    Note,
}

public sealed record ReviewAction(string PatientId, string Model, ReviewActionKind Kind, string? Detail, string UserName);
