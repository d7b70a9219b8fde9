namespace ClinicalCds.Application.Abstractions;

/// <summary>One change of which version of a model is active: promote or rollback, from which version to which, by whom and why.</summary>
public sealed record ServingChange(DateTimeOffset At, string Model, string Action, string? FromVersion, string ToVersion, string Actor, string? Reason);

/// <summary>The audit trail of model promotions and rollbacks.</summary>
public interface IServingAudit
{
    Task RecordAsync(ServingChange change, CancellationToken cancellationToken);

    /// <summary>The latest changes first, of one model or of all.</summary>
    Task<IReadOnlyList<ServingChange>> ListAsync(string? model, int limit, CancellationToken cancellationToken);
}
