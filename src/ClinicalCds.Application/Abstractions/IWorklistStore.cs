using ClinicalCds.Application.Worklist;

namespace ClinicalCds.Application.Abstractions;

/// <summary>The worklist's reads over the latest scores and its review workflow, in PostgreSQL.</summary>
public interface IWorklistStore
{
    Task<WorklistPage> QueryAsync(WorklistFilter filter, string userName, CancellationToken cancellationToken);

    /// <summary>The services (units) of the scored stays of <paramref name="model"/>, for the filter.</summary>
    Task<IReadOnlyList<string>> ServicesAsync(string model, CancellationToken cancellationToken);

    Task<PatientRiskRecord?> PatientAsync(string patientId, CancellationToken cancellationToken);

    /// <summary>Applies a review action and records it in the history and the audit, in one transaction.</summary>
    Task RecordActionAsync(ReviewAction action, CancellationToken cancellationToken);

    /// <summary>The sign-in names of the accounts a patient can be assigned to: worklist users (any role) not locked out.</summary>
    Task<IReadOnlyList<string>> AssignableUsersAsync(CancellationToken cancellationToken);

    Task AuditAsync(string userName, string? patientId, string action, string? detail, CancellationToken cancellationToken);
}
