using System.Text;
using ClinicalCds.Api.Hosting;
using ClinicalCds.Application.Abstractions;
using ClinicalCds.Application.Fhir.ImportNdjson;
using ClinicalCds.Fhir.Ingest;
using ClinicalCds.Infrastructure.Persistence;
using ClinicalCds.IntegrationTests.Infrastructure;
using ClinicalCds.Synthetic;
using Mediator;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace ClinicalCds.IntegrationTests.Fhir;

/// <summary>
/// The initial load of an empty store (rows first, indexes built after) stores exactly what an import that keeps the
/// indexes row by row stores, gives a repeated resource its next version, keeps other writers out while it runs, and
/// leaves no store without its indexes, even when its process dies mid-load.
/// </summary>
public sealed class InitialLoadTests : IAsyncLifetime
{
    private readonly string _population = Path.Combine(Path.GetTempPath(), $"clinicalcds-initial-load-{Guid.NewGuid():N}");

    public Task InitializeAsync()
    {
        PopulationGenerator.Generate(new SyntheticOptions(40, 7, SyntheticOptions.DefaultAsOf), _population);
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_population, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task An_initial_load_stores_exactly_what_a_row_by_row_import_stores_and_builds_every_index_again()
    {
        var files = Directory.GetFiles(_population, "*.ndjson").Order(StringComparer.Ordinal).ToList();
        await using var loaded = await Store.CreateAsync();
        await using var imported = await Store.CreateAsync();
        var indexesOfAFreshStore = await loaded.TextAsync(IndexDefinitions);

        var load = await loaded.Mediator.Send(new ImportNdjsonCommand(
            files.Select(f => new NdjsonSource(Path.GetFileName(f), () => File.OpenRead(f))).ToList(), InitialLoadIfEmpty: true));
        foreach (var file in files)
        {
            await using var stream = File.OpenRead(file);
            var result = await imported.Mediator.Send(new ImportNdjsonCommand(stream, Path.GetFileName(file)));
            Assert.False(result.InitialLoad);
        }

        Assert.True(load.InitialLoad);
        var lines = files.Sum(f => File.ReadLines(f).Count());
        Assert.True(lines > 4_000, $"{lines} lines: more than two batches");
        Assert.Equal(lines, load.Created);
        Assert.Empty(load.Rejected);
        foreach (var table in new[] { "fhir_resources", "patients", "encounters", "conditions", "observations", "procedures", "medication_requests" })
        {
            // Every column but the time of writing.
            var rows = $"SELECT count(*) || ' ' || md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) FROM " +
                       (table == "fhir_resources" ? "(SELECT resource_type, id, version_id, is_current, patient_id, content FROM fhir_resources)" : table) + " t";
            Assert.Equal(await imported.TextAsync(rows), await loaded.TextAsync(rows));
        }

        Assert.Equal(indexesOfAFreshStore, await loaded.TextAsync(IndexDefinitions));
        Assert.Equal(await imported.TextAsync(IndexDefinitions), await loaded.TextAsync(IndexDefinitions));
        Assert.Equal(0, await loaded.ScalarAsync("SELECT count(*) FROM fhir_initial_load"));
    }

    [Fact]
    public async Task A_resource_that_comes_again_ends_the_initial_load_and_gets_its_next_version()
    {
        await using var store = await Store.CreateAsync();
        // 2,500 patients over two batches; the second batch brings patient 7 changed and patient 8 as it was.
        var lines = Enumerable.Range(0, 2_500).Select(i => Patient($"il-{i}", "1950-01-01"))
            .Append(Patient("il-7", "1960-06-30"))
            .Append(Patient("il-8", "1950-01-01"));

        var result = await store.Mediator.Send(new ImportNdjsonCommand([Ndjson("patients.ndjson", lines)], InitialLoadIfEmpty: true));

        Assert.True(result.InitialLoad);
        Assert.Equal((2_500, 1, 1), (result.Created, result.Updated, result.Unchanged));
        Assert.Equal(2, await store.ScalarAsync("SELECT max(version_id) FROM fhir_resources WHERE id = 'il-7'"));
        Assert.Equal(1, await store.ScalarAsync("SELECT count(*) FROM fhir_resources WHERE id = 'il-7' AND is_current AND version_id = 2 AND content->>'birthDate' = '1960-06-30'"));
        Assert.Equal(1, await store.ScalarAsync("SELECT count(*) FROM patients WHERE patient_id = 'il-7' AND birth_date = '1960-06-30'"));
        Assert.Equal(1, await store.ScalarAsync("SELECT count(*) FROM fhir_resources WHERE id = 'il-8'"));
        await AssertIndexesInPlace(store);
    }

    [Fact]
    public async Task Into_a_store_that_holds_resources_an_import_is_not_an_initial_load()
    {
        await using var store = await Store.CreateAsync();
        await store.Mediator.Send(new ImportNdjsonCommand([Ndjson("first.ndjson", [Patient("ne-1", "1940-02-02")])], InitialLoadIfEmpty: true));

        var second = await store.Mediator.Send(new ImportNdjsonCommand(
            [Ndjson("second.ndjson", [Patient("ne-1", "1941-02-02"), Patient("ne-2", "1942-02-02")])], InitialLoadIfEmpty: true));

        Assert.False(second.InitialLoad);
        Assert.Equal((1, 1), (second.Created, second.Updated));
        Assert.Equal(2, await store.ScalarAsync("SELECT count(*) FROM fhir_resources WHERE id = 'ne-1'"));
    }

    [Fact]
    public async Task Writers_wait_for_an_initial_load_and_then_write_with_the_indexes_in_place()
    {
        await using var store = await Store.CreateAsync();
        var fhirStore = store.Services.GetRequiredService<IFhirStore>();
        await using var load = await fhirStore.TryBeginInitialLoadAsync(CancellationToken.None);
        Assert.NotNull(load);
        Assert.Equal(0, await store.ScalarAsync("SELECT count(*) FROM pg_indexes WHERE tablename = 'fhir_resources'"));

        var writer = fhirStore.WriteAsync([Prepared(Patient("w-2", "1970-03-03"))], CancellationToken.None);
        await load.WriteAsync([Prepared(Patient("w-1", "1970-01-01"))], CancellationToken.None);
        await Task.Delay(500);
        Assert.False(writer.IsCompleted, "a writer wrote while the initial load held the store");
        Assert.Equal(0, await store.ScalarAsync("SELECT count(*) FROM fhir_resources WHERE id = 'w-2'"));

        await load.CompleteAsync(CancellationToken.None);
        var outcome = Assert.Single(await writer);

        Assert.Equal(WriteStatus.Created, outcome.Status);
        Assert.Equal(2, await store.ScalarAsync("SELECT count(*) FROM fhir_resources WHERE id IN ('w-1', 'w-2') AND is_current"));
        await AssertIndexesInPlace(store);
        Assert.Null(await fhirStore.TryBeginInitialLoadAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Indexes_set_aside_by_a_load_whose_process_died_are_built_by_the_next_writer_and_what_it_wrote_stays()
    {
        await using var store = await Store.CreateAsync();
        var fhirStore = store.Services.GetRequiredService<IFhirStore>();
        await using var load = await LoadThatDies(store, Prepared(Patient("d-1", "1980-01-01")));

        var outcome = Assert.Single(await fhirStore.WriteAsync([Prepared(Patient("d-1", "1981-01-01"))], CancellationToken.None));

        Assert.Equal((WriteStatus.Updated, 2), (outcome.Status, outcome.VersionId));
        await AssertIndexesInPlace(store);
    }

    [Fact]
    public async Task Indexes_set_aside_by_a_load_whose_process_died_are_built_by_db_migrate()
    {
        await using var store = await Store.CreateAsync();
        await using var load = await LoadThatDies(store, Prepared(Patient("s-1", "1980-01-01")));

        await using (var scope = store.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<DatabaseMigrator>().MigrateAsync(CancellationToken.None);
        }

        await AssertIndexesInPlace(store);
        Assert.Equal(1, await store.ScalarAsync("SELECT count(*) FROM fhir_resources WHERE id = 's-1' AND is_current"));
    }

    /// <summary>Every index of the store is there, nothing is recorded as set aside, autovacuum is on again.</summary>
    private static async Task AssertIndexesInPlace(Store store)
    {
        Assert.Equal(0, await store.ScalarAsync("SELECT count(*) FROM fhir_initial_load"));
        Assert.Equal(3, await store.ScalarAsync("SELECT count(*) FROM pg_indexes WHERE tablename = 'fhir_resources'"));
        Assert.Equal(2, await store.ScalarAsync("SELECT count(*) FROM pg_indexes WHERE tablename = 'observations'"));
        Assert.Equal(0, await store.ScalarAsync("SELECT count(*) FROM pg_class WHERE 'autovacuum_enabled=false' = ANY(reloptions)"));
    }

    /// <summary>An initial load that wrote <paramref name="resource"/> and whose process then died.</summary>
    private static async Task<IInitialLoad> LoadThatDies(Store store, PreparedResource resource)
    {
        var load = await store.Services.GetRequiredService<IFhirStore>().TryBeginInitialLoadAsync(CancellationToken.None);
        Assert.NotNull(load);
        await load.WriteAsync([resource], CancellationToken.None);

        // Its connection, and with it every lock it held, goes away.
        Assert.Equal(1, await store.ScalarAsync(
            "SELECT count(pg_terminate_backend(pid)) FROM (SELECT DISTINCT pid FROM pg_locks WHERE locktype = 'advisory' " +
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())) holders"));
        Assert.True(await store.ScalarAsync("SELECT count(*) FROM fhir_initial_load") > 0);
        Assert.Equal(0, await store.ScalarAsync("SELECT count(*) FROM pg_indexes WHERE tablename = 'observations'"));
        Assert.Equal(7, await store.ScalarAsync("SELECT count(*) FROM pg_class WHERE 'autovacuum_enabled=false' = ANY(reloptions)"));
        return load; // disposing it finds its connection gone: nothing left to do there, and no error
    }

    private const string IndexDefinitions =
        "SELECT string_agg(indexdef, E'\\n' ORDER BY indexname) FROM pg_indexes WHERE schemaname = 'public'";

    private static string Patient(string id, string birthDate) =>
        $$$"""{"resourceType":"Patient","id":"{{{id}}}","gender":"male","birthDate":"{{{birthDate}}}"}""";

    private static PreparedResource Prepared(string json) => ResourcePreparer.Prepare(Encoding.UTF8.GetBytes(json)).Resource!;

    private static NdjsonSource Ndjson(string name, IEnumerable<string> lines) =>
        new(name, () => new MemoryStream(Encoding.UTF8.GetBytes(string.Join("\n", lines))));

    /// <summary>The application's services on a fresh database of their own.</summary>
    private sealed class Store : IAsyncDisposable
    {
        private readonly TestDatabase _database = new();

        public ServiceProvider Services { get; private set; } = null!;

        public IMediator Mediator => Services.GetRequiredService<IMediator>();

        public static async Task<Store> CreateAsync()
        {
            var store = new Store();
            await store._database.InitializeAsync();
            var configuration = new ConfigurationBuilder()
                .AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:ClinicalCds"] = store._database.ConnectionString })
                .Build();
            store.Services = new ServiceCollection().AddLogging().AddClinicalCds(configuration).BuildServiceProvider();
            return store;
        }

        public Task<long> ScalarAsync(string sql) => _database.ScalarAsync(sql);

        public async Task<string> TextAsync(string sql)
        {
            await using var connection = new NpgsqlConnection(_database.ConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(sql, connection);
            return (string)(await command.ExecuteScalarAsync())!;
        }

        public async ValueTask DisposeAsync()
        {
            await Services.DisposeAsync();
            await _database.DisposeAsync();
        }
    }
}
