using System.Diagnostics;
using ClinicalCds.Application.Abstractions;
using ClinicalCds.Fhir.Ingest;
using Mediator;

namespace ClinicalCds.Application.Fhir.ImportNdjson;

/// <summary>
/// Streams NDJSON in batches (2,000 lines, or <see cref="ImportNdjsonCommand.MaxBatchBytes"/> of them, whichever comes
/// first) parsed and validated on every core, written by <see cref="WriteLanes"/> while the next
/// batch is prepared. Into an empty store, when asked, the import is an <see cref="IInitialLoad"/> until a resource
/// comes a second time: the load then completes (indexes built) and the store takes over from that batch on, so the
/// repeat gets its version just as in any import. Each bad line is rejected with its line number and reason; every
/// valid line is kept.
/// </summary>
public sealed class ImportNdjsonHandler(IFhirStore store, Domain.Clinical.Terminology terminology) : ICommandHandler<ImportNdjsonCommand, ImportResult>
{
    private const int BatchSize = 2000;

    public async ValueTask<ImportResult> Handle(ImportNdjsonCommand command, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var rejected = new List<RejectedLine>();
        var tally = new WriteTally();
        long lines = 0;
        await using var load = command.InitialLoadIfEmpty ? await store.TryBeginInitialLoadAsync(cancellationToken) : null;
        var loading = load is not null ? new ResourceKeys() : null;
        var lanes = new WriteLanes(load ?? (IResourceWriter)store, tally, cancellationToken);
        try
        {
            var batch = new List<NdjsonLine>(BatchSize);
            long batchBytes = 0;
            foreach (var source in command.Sources)
            {
                var stream = source.Open();
                try
                {
                    await foreach (var line in NdjsonLineReader.ReadAsync(stream, command.MaxLineBytes, cancellationToken))
                    {
                        lines++;
                        batch.Add(line);
                        batchBytes += line.Bytes?.Length ?? 0;
                        if (batch.Count == BatchSize || batchBytes >= command.MaxBatchBytes)
                        {
                            await Enqueue(batch, source.Name);
                            batchBytes = 0;
                        }
                    }

                    await Enqueue(batch, source.Name);
                    batchBytes = 0;
                }
                finally
                {
                    if (!source.LeaveOpen)
                    {
                        await stream.DisposeAsync();
                    }
                }
            }
        }
        catch (OperationCanceledException) when (lanes.Failed)
        {
            // A lane failed and stopped the queueing; CompleteAsync throws its error.
        }
        finally
        {
            await lanes.CompleteAsync();
        }

        if (loading is not null)
        {
            await load!.CompleteAsync(cancellationToken);
        }

        var result = tally.Result(lines, rejected, clock.Elapsed, initialLoad: load is not null);
        command.Progress?.Report(new ImportProgress(lines, result.Stored, rejected.Count));
        return result;

        async Task Enqueue(List<NdjsonLine> batch, string source)
        {
            var prepared = PrepareAll(batch, source, rejected);
            batch.Clear();
            if (loading is not null && !loading.TryClaim(prepared))
            {
                // A resource loaded already comes again: the load ends here, and the store versions it as ever.
                await lanes.CompleteAsync();
                await load!.CompleteAsync(cancellationToken);
                loading = null;
                lanes = new WriteLanes(store, tally, cancellationToken);
            }

            await lanes.EnqueueAsync(prepared);
            command.Progress?.Report(new ImportProgress(lines, tally.Stored, rejected.Count));
        }
    }

    private List<PreparedResource> PrepareAll(List<NdjsonLine> batch, string source, List<RejectedLine> rejected)
    {
        var results = new Preparation[batch.Count];
        Parallel.For(0, batch.Count, i =>
        {
            var line = batch[i];
            results[i] = line.Bytes is null ? Preparation.Rejected(line.Error!) : ResourcePreparer.Prepare(line.Bytes, terminology);
        });

        var prepared = new List<PreparedResource>(batch.Count);
        for (var i = 0; i < batch.Count; i++)
        {
            if (results[i].Resource is { } resource)
            {
                prepared.Add(resource);
            }
            else
            {
                rejected.Add(new RejectedLine(source, batch[i].Number, string.Join(" ", results[i].Errors)));
            }
        }

        return prepared;
    }
}
