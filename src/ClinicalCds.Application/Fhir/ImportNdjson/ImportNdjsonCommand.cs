using Mediator;

namespace ClinicalCds.Application.Fhir.ImportNdjson;

/// <summary>Progress of an import: lines read (all sources), resources written and lines rejected so far.</summary>
public readonly record struct ImportProgress(long Lines, long Resources, long Rejected);

/// <summary>
/// One NDJSON input: <paramref name="Name"/> names it in rejection messages (a file name, or "request body");
/// <paramref name="Open"/> is called when its turn comes, and the stream disposed after unless <paramref name="LeaveOpen"/>.
/// </summary>
public sealed record NdjsonSource(string Name, Func<Stream> Open, bool LeaveOpen = false);

/// <summary>
/// Imports FHIR NDJSON (one resource a line) from <paramref name="Sources"/>, in order. With
/// <paramref name="InitialLoadIfEmpty"/>, an import into an empty store is an <see cref="Abstractions.IInitialLoad"/>
/// (indexes built at the end) for as long as no resource comes again.
/// </summary>
public sealed record ImportNdjsonCommand(
    IReadOnlyList<NdjsonSource> Sources,
    IProgress<ImportProgress>? Progress = null,
    int MaxLineBytes = ImportNdjsonCommand.DefaultMaxLineBytes,
    bool InitialLoadIfEmpty = false) : ICommand<ImportResult>
{
    public const int DefaultMaxLineBytes = 8 * 1024 * 1024;

    public const long DefaultMaxBatchBytes = 32L * 1024 * 1024;

    /// <summary>
    /// A batch closes at this many bytes of lines as well as at its line count (issue 33 item 2): with lines of up to
    /// <see cref="MaxLineBytes"/> a batch of 2,000 could hold 16 GB; so the memory an import holds — the batch read, the
    /// batch prepared and those queued to each write lane — is a bounded multiple of this, whatever the compression ratio.
    /// </summary>
    public long MaxBatchBytes { get; init; } = DefaultMaxBatchBytes;

    /// <summary>One stream, left open, named <paramref name="source"/>; never an initial load.</summary>
    public ImportNdjsonCommand(Stream body, string source, IProgress<ImportProgress>? progress = null, int maxLineBytes = DefaultMaxLineBytes)
        : this([new NdjsonSource(source, () => body, LeaveOpen: true)], progress, maxLineBytes)
    {
    }
}

public sealed record RejectedLine(string Source, long Line, string Reason);

public sealed record ImportResult(
    long Lines,
    long Created,
    long Updated,
    long Unchanged,
    IReadOnlyDictionary<string, long> ResourcesByType,
    IReadOnlyList<RejectedLine> Rejected,
    TimeSpan Elapsed,
    bool InitialLoad = false)
{
    public long Stored => Created + Updated + Unchanged;

    public double ResourcesPerSecond => Elapsed.TotalSeconds > 0 ? Stored / Elapsed.TotalSeconds : 0;
}
