namespace ClinicalCds.Application.Abstractions;

public sealed record IssuedCard(Guid Uuid, string ServiceId, string HookInstance, string PatientId, string Indicator, string Summary, DateTimeOffset IssuedAt);

public sealed record FeedbackRecord(Guid CardUuid, string ServiceId, string Outcome, DateTimeOffset OutcomeTimestamp, string ContentJson, string ContentHash, string? ClientId);

public sealed record HookAudit(
    DateTimeOffset At, string ServiceId, string? HookInstance, string? ClientId, string? UserId, string? PatientId, int Status, string Outcome, double LatencyMs);

/// <summary>Cards issued, feedback on them, the audit trail of hook calls.</summary>
public interface ICdsStore
{
    Task RecordCardsAsync(IReadOnlyList<IssuedCard> cards, CancellationToken cancellationToken);

    /// <summary>The service that issued each of <paramref name="uuids"/>; unknown cards are absent.</summary>
    Task<IReadOnlyDictionary<Guid, string>> IssuedByAsync(IReadOnlyCollection<Guid> uuids, CancellationToken cancellationToken);

    /// <summary>Stores feedback; an item identical to one already stored is skipped. Returns how many were new.</summary>
    Task<int> RecordFeedbackAsync(IReadOnlyList<FeedbackRecord> feedback, CancellationToken cancellationToken);

    Task AuditAsync(HookAudit audit, CancellationToken cancellationToken);
}
