using ClinicalCds.Domain.Clinical;
using ClinicalCds.Domain.Timeline;

namespace ClinicalCds.Domain.Features;

/// <summary>An active problem: the condition's code with its display (the code itself when the source gave none) and since when.</summary>
public sealed record ProblemEntry(string System, string Code, string Display, DateTimeOffset? Since);

/// <summary>A current medication order: what, its code, when it was ordered and its status.</summary>
public sealed record MedicationEntry(string Display, string? Code, DateTimeOffset? Ordered, string? Status);

/// <summary>
/// The chart a care manager reads beside a risk: the patient's active problems and current medications known at an
/// instant. A problem is active when its clinical status says so (active, recurrence, relapse — or none recorded, as
/// for billing codes) and it has not abated by then, unless refuted or entered in error (FHIR R4 Condition). A
/// medication is current when its order is active or on hold (or its status is unknown) and was written within
/// <see cref="FeatureBuilder.MedicationLookback"/>. A condition coded in several systems is listed once, by its first coding.
/// </summary>
public static class ChartSummary
{
    /// <summary>Clinical statuses of a condition that is current (none recorded counts: billing codes carry none).</summary>
    public static readonly string?[] CurrentClinicalStatuses = [null, "active", "recurrence", "relapse"];

    public static bool IsActiveProblem(ConditionFact condition, DateTimeOffset asOf) =>
        condition.VerificationStatus is not ("refuted" or "entered-in-error")
        && CurrentClinicalStatuses.Contains(condition.ClinicalStatus)
        && (condition.Abatement is null || condition.Abatement > asOf);

    public static bool IsCurrentMedication(MedicationRequestFact order, DateTimeOffset asOf) =>
        order.Status is null or "active" or "on-hold"
        && (order.AuthoredOn is null || order.AuthoredOn > asOf - FeatureBuilder.MedicationLookback);

    /// <summary>Distinct active problems known at <paramref name="asOf"/>, most recent first.</summary>
    public static IReadOnlyList<ProblemEntry> ActiveProblems(PatientTimeline timeline, DateTimeOffset asOf, int max = 25) =>
    [
        .. timeline.AsOf(asOf).Conditions
            .Where(c => IsActiveProblem(c, asOf))
            // One Condition coded in several systems (ICD-10-CM and SNOMED CT) is one problem: its first coding.
            .GroupBy(c => c.ConditionId, StringComparer.Ordinal)
            .Select(g => g.MinBy(c => c.Seq)!)
            .GroupBy(c => (c.System, c.Code))
            .Select(g => g.OrderByDescending(c => c.Onset ?? c.Recorded).First())
            .Select(c => new ProblemEntry(c.System, c.Code, c.Display ?? c.Code, c.Onset ?? c.Recorded))
            .OrderByDescending(p => p.Since)
            .ThenBy(p => p.Display, StringComparer.Ordinal)
            .Take(max),
    ];

    /// <summary>Distinct current medication orders at <paramref name="asOf"/>, most recent first.</summary>
    public static IReadOnlyList<MedicationEntry> CurrentMedications(PatientTimeline timeline, DateTimeOffset asOf, int max = 25) =>
    [
        .. timeline.AsOf(asOf).MedicationRequests
            .Where(m => IsCurrentMedication(m, asOf) && (m.Display ?? m.Code) is not null)
            .GroupBy(m => m.Code ?? m.Display)
            .Select(g => g.OrderByDescending(m => m.AuthoredOn).First())
            .Select(m => new MedicationEntry(m.Display ?? m.Code!, m.Code, m.AuthoredOn, m.Status))
            .OrderByDescending(m => m.Ordered)
            .ThenBy(m => m.Display, StringComparer.Ordinal)
            .Take(max),
    ];
}
