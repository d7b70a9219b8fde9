namespace ClinicalCds.Application.Abstractions;

/// <summary>A card as answered: what feedback on it may name (its suggestions' uuids, its override reasons as <c>system|code</c>).</summary>
public sealed record IssuedCard(
    Guid Uuid, string ServiceId, string HookInstance, string PatientId, string Indicator, string Summary, DateTimeOffset IssuedAt,
    IReadOnlyList<Guid> SuggestionIds, IReadOnlyList<string> OverrideReasons);

/// <summary>What an issued card offered, for checking feedback on it.</summary>
public sealed record CardOffer(string ServiceId, IReadOnlySet<Guid> SuggestionIds, IReadOnlySet<string> OverrideReasons);

/// <summary>
/// One feedback item; <paramref name="OutcomeKey"/> is the outcome with what it chose, the same for a repeat of it.
/// </summary>
public sealed record FeedbackRecord(
    Guid CardUuid, string ServiceId, string Outcome, string OutcomeKey, DateTimeOffset OutcomeTimestamp, string ContentJson, string ContentHash, string? ClientId);

/// <summary>How many items were new; or the cards that already have a different outcome (then nothing was stored).</summary>
public sealed record FeedbackStored(int Stored, IReadOnlyList<Guid> Conflicts);

public sealed record HookAudit(
    DateTimeOffset At, string ServiceId, string? HookInstance, string? ClientId, string? UserId, string? PatientId, int Status, string Outcome, double LatencyMs);

/// <summary>Cards issued, feedback on them, the audit trail of hook calls.</summary>
public interface ICdsStore
{
    /// <summary>What each of <paramref name="uuids"/> offered, and which service issued it; unknown cards are absent.</summary>
    Task<IReadOnlyDictionary<Guid, CardOffer>> OffersAsync(IReadOnlyCollection<Guid> uuids, CancellationToken cancellationToken);

    /// <summary>
    /// Gives each card its one outcome and stores the feedback, all or none: an item whose card already has the same
    /// outcome key is a repeat (not stored again); a card that already has another outcome is a conflict (nothing stored).
    /// </summary>
    Task<FeedbackStored> RecordFeedbackAsync(IReadOnlyList<FeedbackRecord> feedback, CancellationToken cancellationToken);

    /// <summary>
    /// Records one CDS call at once, all or nothing: its audit row, and for an answered hook the score behind the answer
    /// (<see cref="HookScore"/>, for monitoring and the drift check) and the cards issued (what feedback may name).
    /// </summary>
    Task RecordCallAsync(HookAudit audit, HookScore? served, IReadOnlyList<IssuedCard> cards, CancellationToken cancellationToken);
}

/// <summary>
/// The cards of one service and indicator issued in one month, and what clinicians did with them: accepted (one of its
/// suggestions taken), overridden (by reason code, <c>system|code</c>), and how many offered suggestions at all.
/// </summary>
public sealed record FeedbackMonth(
    DateOnly Month, string ServiceId, string Indicator, long Shown, long Accepted, long Overridden, long WithSuggestions,
    IReadOnlyDictionary<string, long> OverrideReasons);

/// <summary>A card shown for a patient and the feedback on it (null outcome: none yet).</summary>
public sealed record PatientCardFeedback(
    DateTimeOffset IssuedAt, string ServiceId, string Indicator, string Summary, string? Outcome, string? OverrideReason);

/// <summary>What clinicians did with the cards: per service, indicator and month; and per patient.</summary>
public interface IFeedbackAnalytics
{
    Task<IReadOnlyList<FeedbackMonth>> FeedbackByMonthAsync(CancellationToken cancellationToken);

    Task<IReadOnlyList<PatientCardFeedback>> PatientFeedbackAsync(string patientId, int limit, CancellationToken cancellationToken);
}

/// <summary>
/// The HTTP status a caller receives for each outcome of a CDS call: the API's to decide (CDS Hooks 2.0 "HTTP
/// Response"), asked by the audit trail, which records what the caller received.
/// </summary>
public interface ICdsCallStatuses
{
    int Of(CdsHooks.CdsFailure? failure);
}
