using Mediator;

namespace ClinicalCds.Application.Fhir.ImportNdjson;

/// <summary>Progress of an import: bytes consumed from the source and resources processed so far.</summary>
public readonly record struct ImportProgress(long Lines, long Resources, long Rejected);

/// <summary>
/// Imports FHIR NDJSON (one resource a line). <paramref name="Source"/> names the input in rejection messages
/// (a file name, or "request body").
/// </summary>
public sealed record ImportNdjsonCommand(Stream Body, string Source, IProgress<ImportProgress>? Progress = null, int MaxLineBytes = 8 * 1024 * 1024)
    : ICommand<ImportResult>;

public sealed record RejectedLine(string Source, long Line, string Reason);

public sealed record ImportResult(
    long Lines,
    long Created,
    long Updated,
    long Unchanged,
    IReadOnlyDictionary<string, long> ResourcesByType,
    IReadOnlyList<RejectedLine> Rejected,
    TimeSpan Elapsed)
{
    public long Stored => Created + Updated + Unchanged;

    public double ResourcesPerSecond => Elapsed.TotalSeconds > 0 ? Stored / Elapsed.TotalSeconds : 0;
}
