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
        public Task<FhirFetch> FetchAsync(Uri fhirServer, string? accessToken, string relativeQuery, CancellationToken cancellationToken) =>
            Task.FromResult(new FhirFetch(
                [JsonElement.Parse("""{"resourceType":"Observation","id":"o1","subject":{"reference":"Patient/p1"},"effectiveDateTime":"2026-02-31"}""")],
                null));
    }

    [Fact]
    public async Task Values_a_fhirServer_sent_wrong_make_its_data_unavailable_and_are_named()
    {
        var service = CdsServices.Find(CdsServices.Readmission)!;
        var request = new HookRequest("encounter-discharge", "h-1", new Uri("https://ehr.test/fhir/"), "token",
            new Dictionary<string, string> { ["userId"] = "Practitioner/1", ["patientId"] = "p1", ["encounterId"] = "stay" },
            new Dictionary<string, JsonElement>());

        var outcome = await PrefetchResolver.ResolveAsync(service, request, new ServerWithABadDate(), default);

        Assert.Empty(outcome.Invalid);
        Assert.Equal(service.Prefetch!.Count, outcome.Unavailable.Count);
        Assert.All(outcome.Unavailable, u => Assert.Contains("the fhirServer sent Observation/o1: 'effectiveDateTime' is not a valid FHIR date or dateTime.", u, StringComparison.Ordinal));
    }
}
