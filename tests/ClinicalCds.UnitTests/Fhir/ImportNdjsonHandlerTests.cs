using ClinicalCds.Domain.Clinical;
using System.Globalization;
using System.Text;
using ClinicalCds.Application.Abstractions;
using ClinicalCds.Application.Fhir.ImportNdjson;
using ClinicalCds.Fhir.Ingest;

namespace ClinicalCds.UnitTests.Fhir;

/// <summary>
/// The NDJSON import's write lanes and initial load, against a recording store: each resource's lines are written in
/// line order, a failing write fails the import with its error, and an initial load hands over to the store at the
/// batch that brings a resource again, after completing.
/// </summary>
public sealed class ImportNdjsonHandlerTests
{
    private static string Patient(string id, int day) =>
        $$$"""{"resourceType":"Patient","id":"{{{id}}}","birthDate":"{{{new DateOnly(1900, 1, 1).AddDays(day).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}}}"}""";

    private static NdjsonSource Ndjson(IEnumerable<string> lines) =>
        new("test.ndjson", () => new MemoryStream(Encoding.UTF8.GetBytes(string.Join("\n", lines))));

    [Fact]
    public async Task Each_resources_lines_are_written_in_line_order_whichever_lane_writes_them()
    {
        var store = new RecordingStore();
        var lines = Enumerable.Range(0, 9_000).Select(i => Patient($"p{i % 7}", i));

        var result = await new ImportNdjsonHandler(store, Terminology.None).Handle(new ImportNdjsonCommand([Ndjson(lines)]), CancellationToken.None);

        Assert.Equal(9_000, result.Stored);
        foreach (var byId in store.Writes.SelectMany(w => w.Resources).GroupBy(r => r.Id))
        {
            var days = byId.Select(r => r.Facts.Patient!.BirthDate!.Value.DayNumber).ToList();
            Assert.Equal(days.Order(), days);
            Assert.Equal(9_000 / 7, days.Count, tolerance: 1);
        }
    }

    [Fact]
    public async Task A_failing_write_fails_the_import_with_its_error()
    {
        var store = new RecordingStore { FailOnWrite = 3 };
        // 50 batches, 100 writes if nothing stopped it.
        var lines = Enumerable.Range(0, 100_000).Select(i => Patient($"f{i}", i % 30_000));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
            await new ImportNdjsonHandler(store, Terminology.None).Handle(new ImportNdjsonCommand([Ndjson(lines)]), CancellationToken.None));

        Assert.Equal("disk full", error.Message);
        Assert.True(store.Writes.Count < 20, $"the import stopped soon after the failure, not after {store.Writes.Count} writes");
    }

    [Fact]
    public async Task An_initial_load_hands_over_to_the_store_at_the_batch_that_brings_a_resource_again()
    {
        var store = new RecordingStore { OfferInitialLoad = true };
        // Batches of 2,000 lines: the third brings i5 again (line 4,101).
        var lines = Enumerable.Range(0, 4_500).Select(i => Patient($"i{i}", i)).ToList();
        lines.Insert(4_100, Patient("i5", 40_000));

        var result = await new ImportNdjsonHandler(store, Terminology.None).Handle(new ImportNdjsonCommand([Ndjson(lines)], InitialLoadIfEmpty: true), CancellationToken.None);

        Assert.True(result.InitialLoad);
        var loaded = store.Writes.Where(w => w.Writer == "load").SelectMany(w => w.Resources).Select(r => r.Id).ToHashSet();
        var stored = store.Writes.Where(w => w.Writer == "store").SelectMany(w => w.Resources).Select(r => r.Id).ToList();
        Assert.Equal(Enumerable.Range(0, 4_000).Select(i => $"i{i}").ToHashSet(), loaded);
        Assert.Equal(501, stored.Count);
        Assert.Contains("i5", stored);
        Assert.Equal(1, store.Completions);
        Assert.True(store.Writes.First(w => w.Writer == "store").Sequence > store.CompletedAt, "the store wrote only after the load completed");
    }

    /// <summary>Issue 33 item 2: long lines close a batch by its bytes, so what an import holds is bounded by configuration.</summary>
    [Fact]
    public async Task Long_lines_close_a_batch_at_its_byte_budget_and_short_ones_at_its_line_count()
    {
        var store = new RecordingStore();
        var padding = new string('x', 300 * 1024);
        var lines = Enumerable.Range(0, 40).Select(i => $$$"""{"resourceType":"Patient","id":"long{{{i}}}","name":[{"text":"{{{padding}}}"}]}""");

        var result = await new ImportNdjsonHandler(store, Terminology.None).Handle(
            new ImportNdjsonCommand([Ndjson(lines)]) { MaxBatchBytes = 1024 * 1024 }, CancellationToken.None);

        Assert.Equal(40, result.Stored);
        // 300 KB lines and a 1 MB budget: a batch closes at its 4th line (1.2 MB), never later.
        Assert.True(store.Writes.Max(w => w.Resources.Count) <= 4, $"a write of {store.Writes.Max(w => w.Resources.Count)} long lines");
        Assert.True(store.Writes.Count >= 10);

        var small = new RecordingStore();
        await new ImportNdjsonHandler(small, Terminology.None).Handle(
            new ImportNdjsonCommand([Ndjson(Enumerable.Range(0, 4_000).Select(i => Patient($"s{i}", i)))]), CancellationToken.None);
        Assert.True(small.Writes.Max(w => w.Resources.Count) > 100, "short lines still go in batches of 2,000");
    }

    /// <summary>
    /// Issue 33 item 2: the parser quotes the value it objects to whole; a rejected line's reason quotes at most 60 of its
    /// characters and says how long it was, so neither the import's memory nor its answer grows with the value.
    /// </summary>
    [Fact]
    public async Task A_rejected_lines_reason_quotes_a_long_value_cut_with_its_length()
    {
        var store = new RecordingStore();
        var value = new string('A', 2_000_000);
        var lines = new[] { $$$"""{"resourceType":"Patient","id":"not valid","name":[{"text":"{{{value}}}"}]}""" };

        var result = await new ImportNdjsonHandler(store, Terminology.None).Handle(new ImportNdjsonCommand([Ndjson(lines)]), CancellationToken.None);

        var reason = Assert.Single(result.Rejected).Reason;
        Assert.True(reason.Length < 3 * ClinicalCds.Fhir.FhirJson.MaxMessageChars, $"a reason of {reason.Length:N0} characters");
        Assert.Contains($"'{new string('A', 60)}…' (2,000,000 characters)", reason, StringComparison.Ordinal);
        Assert.Equal("short 'value' kept", ClinicalCds.Fhir.FhirJson.Clipped("short 'value' kept"));
    }

    [Fact]
    public async Task Without_an_initial_load_asked_for_none_is_begun()
    {
        var store = new RecordingStore { OfferInitialLoad = true };

        var result = await new ImportNdjsonHandler(store, Terminology.None).Handle(new ImportNdjsonCommand([Ndjson([Patient("n1", 1)])]), CancellationToken.None);

        Assert.False(result.InitialLoad);
        Assert.Equal(0, store.LoadsBegun);
        Assert.Equal("store", Assert.Single(store.Writes).Writer);
    }

    private sealed record Write(string Writer, int Sequence, IReadOnlyList<PreparedResource> Resources);

    /// <summary>Records every write in the order made; offers an initial load when asked to.</summary>
    private sealed class RecordingStore : IFhirStore
    {
        private readonly Lock _gate = new();
        private int _sequence;

        public List<Write> Writes { get; } = [];

        public bool OfferInitialLoad { get; init; }

        public int? FailOnWrite { get; init; }

        public int LoadsBegun { get; private set; }

        public int Completions { get; private set; }

        public int CompletedAt { get; private set; }

        public Task<IReadOnlyList<WriteOutcome>> WriteAsync(IReadOnlyList<PreparedResource> resources, CancellationToken cancellationToken) =>
            Record("store", resources);

        public Task<IInitialLoad?> TryBeginInitialLoadAsync(CancellationToken cancellationToken)
        {
            LoadsBegun++;
            return Task.FromResult<IInitialLoad?>(OfferInitialLoad ? new Load(this) : null);
        }

        private async Task<IReadOnlyList<WriteOutcome>> Record(string writer, IReadOnlyList<PreparedResource> resources)
        {
            await Task.Yield();
            lock (_gate)
            {
                Writes.Add(new Write(writer, ++_sequence, resources));
                if (Writes.Count == FailOnWrite)
                {
                    throw new InvalidOperationException("disk full");
                }
            }

            return resources.Select(r => new WriteOutcome(r.ResourceType, r.Id, 1, WriteStatus.Created, DateTimeOffset.UnixEpoch)).ToList();
        }

        public Task<StoredResource?> ReadAsync(string resourceType, string id, int? versionId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<SearchPage> SearchAsync(SearchCriteria criteria, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyDictionary<string, long>> CountCurrentByTypeAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

        private sealed class Load(RecordingStore store) : IInitialLoad
        {
            private bool _completed;

            public Task<IReadOnlyList<WriteOutcome>> WriteAsync(IReadOnlyList<PreparedResource> resources, CancellationToken cancellationToken) =>
                store.Record("load", resources);

            public Task CompleteAsync(CancellationToken cancellationToken)
            {
                lock (store._gate)
                {
                    _completed = true;
                    store.Completions++;
                    store.CompletedAt = ++store._sequence;
                }

                return Task.CompletedTask;
            }

            // As the store's load does: disposing completes a load not completed yet.
            public async ValueTask DisposeAsync()
            {
                if (!_completed)
                {
                    await CompleteAsync(CancellationToken.None);
                }
            }
        }
    }
}
