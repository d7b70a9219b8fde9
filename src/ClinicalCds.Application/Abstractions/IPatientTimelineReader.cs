using ClinicalCds.Domain.Timeline;

namespace ClinicalCds.Application.Abstractions;

/// <summary>Patients' timelines from the store's clinical projections, read in bulk (a bounded number of queries per chunk of patients).</summary>
public interface IPatientTimelineReader
{
    /// <summary>The timelines of <paramref name="patientIds"/> that exist, in the order asked.</summary>
    IAsyncEnumerable<PatientTimeline> ReadAsync(IReadOnlyList<string> patientIds, CancellationToken cancellationToken);

    /// <summary>Every patient of the store, in patient id order, streamed chunk by chunk.</summary>
    IAsyncEnumerable<PatientTimeline> ReadAllAsync(CancellationToken cancellationToken);
}
