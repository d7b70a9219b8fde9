using System.Diagnostics;
using ClinicalCds.Application.Abstractions;
using ClinicalCds.Fhir.Ingest;
using Mediator;

namespace ClinicalCds.Application.Fhir.ImportNdjson;

/// <summary>
/// Streams NDJSON in batches: while the store writes one batch (binary COPY), the next is parsed and validated on
/// every core. A batch is written as parallel writes of disjoint <see cref="WritePartitions">write partitions</see>
/// (each its own transaction; a resource's lines always fall in one of them, in order), so the database works on
/// more than one core. Each bad line is rejected with its line number and reason; every valid line is kept.
/// </summary>
public sealed class ImportNdjsonHandler(IFhirStore store) : ICommandHandler<ImportNdjsonCommand, ImportResult>
{
    private const int BatchSize = 2000;
    private static readonly int ParallelWrites = Math.Clamp(Environment.ProcessorCount, 2, 8);

    public async ValueTask<ImportResult> Handle(ImportNdjsonCommand command, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var rejected = new List<RejectedLine>();
        var byType = new Dictionary<string, long>(StringComparer.Ordinal);
        long lines = 0, created = 0, updated = 0, unchanged = 0;
        Task<IReadOnlyList<WriteOutcome>>? writing = null;
        var batch = new List<NdjsonLine>(BatchSize);

        async Task Flush()
        {
            var prepared = PrepareAll(batch, command.Source, rejected);
            batch.Clear();
            await Drain();
            writing = prepared.Count > 0 ? WriteInParallel(prepared, cancellationToken) : null;
        }

        async Task Drain()
        {
            if (writing is null)
            {
                return;
            }

            foreach (var outcome in await writing)
            {
                byType[outcome.ResourceType] = byType.GetValueOrDefault(outcome.ResourceType) + 1;
                switch (outcome.Status)
                {
                    case WriteStatus.Created: created++; break;
                    case WriteStatus.Updated: updated++; break;
                    default: unchanged++; break;
                }
            }

            writing = null;
            command.Progress?.Report(new ImportProgress(lines, created + updated + unchanged, rejected.Count));
        }

        await foreach (var line in NdjsonLineReader.ReadAsync(command.Body, command.MaxLineBytes, cancellationToken))
        {
            lines = line.Number;
            batch.Add(line);
            if (batch.Count == BatchSize)
            {
                await Flush();
            }
        }

        await Flush();
        await Drain();
        return new ImportResult(lines, created, updated, unchanged, byType, rejected, clock.Elapsed);
    }

    private async Task<IReadOnlyList<WriteOutcome>> WriteInParallel(List<PreparedResource> prepared, CancellationToken cancellationToken)
    {
        var writes = prepared
            .GroupBy(r => WritePartitions.Of(r.ResourceType, r.Id) % ParallelWrites)
            .Select(part => store.WriteAsync(part.ToList(), cancellationToken));
        return (await Task.WhenAll(writes)).SelectMany(outcomes => outcomes).ToList();
    }

    private static List<PreparedResource> PrepareAll(List<NdjsonLine> batch, string source, List<RejectedLine> rejected)
    {
        var results = new Preparation[batch.Count];
        Parallel.For(0, batch.Count, i =>
        {
            var line = batch[i];
            results[i] = line.Bytes is null ? Preparation.Rejected(line.Error!) : ResourcePreparer.Prepare(line.Bytes);
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
