using ClinicalCds.Domain.Clinical;
using System.Text.Json;
using ClinicalCds.Application.Abstractions;
using ClinicalCds.Application.CdsHooks;
using ClinicalCds.Application.CdsHooks.EvaluateHook;

namespace ClinicalCds.UnitTests.CdsHooks;

public sealed class PrefetchResolverTests
{
    /// <summary>A fhirServer that answers every query with one Observation whose date is no date.</summary>
    private sealed class ServerWithABadDate : IFhirServerClient
    {
        public async IAsyncEnumerable<FhirFetch> FetchPagesAsync(Uri fhirServer, bool listed, string? accessToken, string relativeQuery, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await Task.Yield();
            yield return new FhirFetch(
                [JsonElement.Parse("""{"resourceType":"Observation","id":"o1","subject":{"reference":"Patient/p1"},"effectiveDateTime":"2026-02-31"}""")],
                null);
        }
    }

    [Fact]
    public async Task Values_a_fhirServer_sent_wrong_make_its_data_unavailable_and_are_named()
    {
        var service = CdsServices.Find(CdsServices.Readmission)!;
        var request = new HookRequest("encounter-discharge", "h-1", new Uri("https://ehr.test/fhir/"), "token",
            new Dictionary<string, string> { ["userId"] = "Practitioner/1", ["patientId"] = "p1", ["encounterId"] = "stay" },
            new Dictionary<string, JsonElement>());

        var outcome = await PrefetchResolver.ResolveAsync(service, request, new ServerWithABadDate(), Terminology.None, default);

        Assert.Empty(outcome.Invalid);
        Assert.Equal(service.Prefetch!.Count, outcome.Unavailable.Count);
        Assert.All(outcome.Unavailable, u => Assert.Contains("the fhirServer sent Observation/o1: 'effectiveDateTime' is not a valid FHIR date or dateTime.", u, StringComparison.Ordinal));
    }

    /// <summary>A fhirServer that records its queries and answers each with one Observation of patient p1.</summary>
    private sealed class RecordingServer(string? failure = null) : IFhirServerClient
    {
        public List<string> Queries { get; } = [];

        public async IAsyncEnumerable<FhirFetch> FetchPagesAsync(Uri fhirServer, bool listed, string? accessToken, string relativeQuery, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
        {
            lock (Queries)
            {
                Queries.Add(relativeQuery);
            }

            await Task.Yield();
            yield return (failure is not null
                ? new FhirFetch([], failure)
                : new FhirFetch([JsonElement.Parse("""{"resourceType":"Observation","id":"all","status":"final","subject":{"reference":"Patient/p1"},"code":{"coding":[{"system":"http://loinc.org","code":"718-7"}]},"valueQuantity":{"value":11.5,"unit":"g/dL","system":"http://unitsofmeasure.org","code":"g/dL"},"effectiveDateTime":"2026-03-09T08:00:00Z"}""")], null));
        }
    }

    private static readonly JsonElement FirstPageOnly = JsonElement.Parse("""
        {"resourceType":"Bundle","type":"searchset","total":3547,
         "link":[{"relation":"self","url":"https://ehr.test/fhir/Observation?patient=p1"},{"relation":"next","url":"https://ehr.test/fhir/Observation?patient=p1&page=2"}],
         "entry":[{"resource":{"resourceType":"Observation","id":"page1","status":"final","subject":{"reference":"Patient/p1"},"code":{"coding":[{"system":"http://loinc.org","code":"718-7"}]},"valueQuantity":{"value":9.0,"unit":"g/dL","system":"http://unitsofmeasure.org","code":"g/dL"},"effectiveDateTime":"2026-03-01T08:00:00Z"}}]}
        """);

    private static HookRequest WithObservations(JsonElement observations, Uri? fhirServer) => new(
        "encounter-discharge", "h-1", fhirServer, "token",
        new Dictionary<string, string> { ["userId"] = "Practitioner/1", ["patientId"] = "p1", ["encounterId"] = "stay" },
        CdsServices.Find(CdsServices.Readmission)!.Prefetch!.Keys.ToDictionary(k => k, k => k == "observations" ? observations : JsonElement.Parse("null")));

    [Fact]
    public async Task A_prefetch_Bundle_with_a_next_link_is_fetched_in_full_from_the_fhirServer_instead_of_being_scored_as_one_page()
    {
        var service = CdsServices.Find(CdsServices.Readmission)!;
        var server = new RecordingServer();

        var outcome = await PrefetchResolver.ResolveAsync(service, WithObservations(FirstPageOnly, new Uri("https://ehr.test/fhir/")), server, Terminology.None, default);

        Assert.Empty(outcome.Unavailable);
        var query = Assert.Single(server.Queries);
        Assert.StartsWith("Observation?patient=p1&code=", query, StringComparison.Ordinal);
        Assert.EndsWith("&_count=5000", query, StringComparison.Ordinal);
        // The full answer replaces the partial page: the first page's value is not read twice, the fetched one is there.
        var observations = outcome.Facts.SelectMany(f => f.Observations ?? []).ToList();
        Assert.Equal(["all"], observations.Select(o => o.ObservationId));
    }

    [Theory]
    [InlineData(null, "no fhirServer was given")]
    [InlineData("https://ehr.test/fhir/", "the fhirServer answered 503")]
    public async Task A_partial_prefetch_that_cannot_be_completed_is_unavailable_and_says_why(string? fhirServer, string reason)
    {
        var service = CdsServices.Find(CdsServices.Readmission)!;

        var outcome = await PrefetchResolver.ResolveAsync(
            service, WithObservations(FirstPageOnly, fhirServer is null ? null : new Uri(fhirServer)), new RecordingServer("the fhirServer answered 503"), Terminology.None, default);

        var unavailable = Assert.Single(outcome.Unavailable);
        Assert.Equal($"observations: the prefetch sent part of a search (a next link, a total above its matches, or an outcome with an error or warning) and the whole could not be fetched: {reason}", unavailable);
    }

    private const string Match =
        """{"search":{"mode":"match"},"resource":{"resourceType":"Observation","id":"page1","status":"final","subject":{"reference":"Patient/p1"},"code":{"coding":[{"system":"http://loinc.org","code":"718-7"}]},"valueQuantity":{"value":9.0,"unit":"g/dL","system":"http://unitsofmeasure.org","code":"g/dL"},"effectiveDateTime":"2026-03-01T08:00:00Z"}}""";

    /// <summary>
    /// Issue 30 (part): a searchset that says it is not whole — a total above its matches without a next link, or an
    /// outcome entry with an error or a warning (CDS Hooks 2.0: services SHOULD check for them) — is never scored as
    /// complete: it is fetched in full from the fhirServer, or the key is unavailable.
    /// </summary>
    [Theory]
    [InlineData("a total above its matches", $$$"""{"resourceType":"Bundle","type":"searchset","total":5,"entry":[{{{Match}}}]}""")]
    [InlineData("an outcome with a warning", $$$"""{"resourceType":"Bundle","type":"searchset","total":1,"entry":[{{{Match}}},{"search":{"mode":"outcome"},"resource":{"resourceType":"OperationOutcome","issue":[{"severity":"warning","code":"too-costly","diagnostics":"results limited to the last 12 months"}]}}]}""")]
    public async Task A_searchset_that_says_it_is_not_whole_is_fetched_in_full_instead_of_being_scored(string what, string bundle)
    {
        var service = CdsServices.Find(CdsServices.Readmission)!;
        var partial = JsonElement.Parse(bundle);
        var server = new RecordingServer();

        var outcome = await PrefetchResolver.ResolveAsync(service, WithObservations(partial, new Uri("https://ehr.test/fhir/")), server, Terminology.None, default);

        Assert.Empty(outcome.Unavailable);
        Assert.Single(server.Queries);
        Assert.True(outcome.Facts.SelectMany(f => f.Observations ?? []).Select(o => o.ObservationId).SequenceEqual(["all"]), what);

        var withoutServer = await PrefetchResolver.ResolveAsync(service, WithObservations(partial, null), server, Terminology.None, default);
        Assert.Single(withoutServer.Unavailable);
    }

    [Fact]
    public async Task A_whole_searchset_with_an_informational_outcome_is_scored_as_it_is()
    {
        var whole = JsonElement.Parse($$$"""{"resourceType":"Bundle","type":"searchset","total":1,"entry":[{{{Match}}},{"search":{"mode":"outcome"},"resource":{"resourceType":"OperationOutcome","issue":[{"severity":"information","code":"informational"}]}}]}""");
        var server = new RecordingServer();
        var outcome = await PrefetchResolver.ResolveAsync(CdsServices.Find(CdsServices.Readmission)!, WithObservations(whole, null), server, Terminology.None, default);
        Assert.Empty(outcome.Unavailable);
        Assert.Empty(server.Queries);
        Assert.Equal(["page1"], outcome.Facts.SelectMany(f => f.Observations ?? []).Select(o => o.ObservationId));
    }

    [Fact]
    public void Every_search_template_asks_for_large_pages()
    {
        Assert.All(CdsServices.Discovery.Services.SelectMany(s => s.Prefetch!.Values).Where(t => t.Contains('?', StringComparison.Ordinal)),
            template => Assert.EndsWith("&_count=5000", template, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Observation?patient=p1", "Observation?patient=p1&_count=500")]
    [InlineData("Observation?patient=p1&_count=20", "Observation?patient=p1&_count=20")]
    [InlineData("Patient/p1", "Patient/p1")]
    public void The_server_asks_every_search_for_its_page_size_unless_the_query_names_one(string query, string sent)
    {
        Assert.Equal(sent, PrefetchResolver.WithPageSize(query, 500));
    }

    [Fact]
    public void What_could_not_be_had_says_each_reason_once_with_its_keys()
    {
        Assert.Equal(
            "patient, encounter, observations: no fhirServer was given; conditions: the fhirServer answered 503",
            PrefetchResolver.Summary(["patient: no fhirServer was given", "encounter: no fhirServer was given", "observations: no fhirServer was given", "conditions: the fhirServer answered 503"]));
    }
}
