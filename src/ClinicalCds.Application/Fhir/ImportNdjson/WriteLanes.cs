using System.Threading.Channels;
using ClinicalCds.Application.Abstractions;
using ClinicalCds.Fhir.Ingest;

namespace ClinicalCds.Application.Fhir.ImportNdjson;

/// <summary>
/// Independent writers of prepared batches: lane k writes the <see cref="WritePartitions">write partitions</see> p
/// with p mod lanes = k, each batch's share as one <see cref="IResourceWriter.WriteAsync"/> call, in batch order. A
/// resource's lines therefore always go through one lane, in order, while the lanes never wait for one another, so the
/// database works on every core without a pause at the end of each batch. The first lane to fail stops them all.
/// </summary>
internal sealed class WriteLanes
{
    private const int BatchesQueuedPerLane = 2;
    private static readonly int LaneCount = Math.Clamp(Environment.ProcessorCount, 2, 8);

    private readonly CancellationToken _cancellation;
    private readonly CancellationTokenSource _stopping;
    private readonly Channel<List<PreparedResource>>[] _queues;
    private readonly Task[] _lanes;

    public WriteLanes(IResourceWriter writer, WriteTally tally, CancellationToken cancellationToken)
    {
        _cancellation = cancellationToken;
        _stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _queues = Enumerable.Range(0, LaneCount)
            .Select(_ => Channel.CreateBounded<List<PreparedResource>>(new BoundedChannelOptions(BatchesQueuedPerLane) { SingleReader = true, SingleWriter = true }))
            .ToArray();
        _lanes = _queues.Select(queue => Task.Run(() => Write(writer, queue.Reader, tally), CancellationToken.None)).ToArray();
    }

    /// <summary>True when a lane failed (its error is thrown by <see cref="CompleteAsync"/>).</summary>
    public bool Failed => _stopping.IsCancellationRequested && !_cancellation.IsCancellationRequested;

    public async Task EnqueueAsync(IReadOnlyList<PreparedResource> batch)
    {
        foreach (var share in batch.GroupBy(r => WritePartitions.Of(r.ResourceType, r.Id) % LaneCount))
        {
            await _queues[share.Key].Writer.WriteAsync(share.ToList(), _stopping.Token);
        }
    }

    /// <summary>Waits until everything queued is written (or, after a failure, rolled back) and throws a lane's error.</summary>
    public async Task CompleteAsync()
    {
        foreach (var queue in _queues)
        {
            queue.Writer.TryComplete();
        }

        try
        {
            await Task.WhenAll(_lanes);
        }
        finally
        {
            _stopping.Dispose();
        }
    }

    private async Task Write(IResourceWriter writer, ChannelReader<List<PreparedResource>> queue, WriteTally tally)
    {
        try
        {
            await foreach (var share in queue.ReadAllAsync(_stopping.Token))
            {
                tally.Add(await writer.WriteAsync(share, _stopping.Token));
            }
        }
        catch
        {
            await _stopping.CancelAsync();
            throw;
        }
    }
}
