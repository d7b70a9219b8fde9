using System.Net;
using System.Text;
using ClinicalCds.Application.Abstractions;
using ClinicalCds.Domain.Clinical;
using ClinicalCds.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace ClinicalCds.IntegrationTests.Features;

/// <summary>
/// Issue 21 item 1: a ConceptMap stored through POST /fhir (a versioned resource like any other) joins the terminology
/// every process reads with; one that could not be used is refused with the reason, and nothing is stored.
/// </summary>
public sealed class StoredConceptMapTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private const string LocalLabs = "http://hospital.example/CodeSystem/lab";

    private static string Map(string version, string target) => $$$"""
        {"resourceType":"Bundle","type":"transaction","entry":[{"resource":
          {"resourceType":"ConceptMap","id":"hospital-labs","url":"http://hospital.example/ConceptMap/labs","version":"{{{version}}}","status":"active",
           "group":[{"source":"{{{LocalLabs}}}","target":"http://loinc.org","element":[{"code":"HGB","target":[{"code":"{{{target}}}","equivalence":"equivalent"}]}]}]},
          "request":{"method":"PUT","url":"ConceptMap/hospital-labs"}}]}
        """;

    private async Task<HttpStatusCode> PostAsync(string bundle)
    {
        using var client = api.CreateClient();
        using var response = await client.PostAsync("/fhir", new StringContent(bundle, Encoding.UTF8, "application/fhir+json"));
        return response.StatusCode;
    }

    private async Task<(string System, string Code, string? Display)?> TranslatedAsync(string expected)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            var translated = api.Services.GetRequiredService<Terminology>().Translate(LocalLabs, "HGB", CodeSystems.Loinc);
            if (translated?.Code == expected || DateTime.UtcNow > deadline)
            {
                return translated;
            }

            await Task.Delay(250);
        }
    }

    [Fact]
    public async Task A_posted_ConceptMap_is_read_with_its_new_version_replaces_the_old_and_an_unusable_one_is_refused()
    {
        Assert.Equal(HttpStatusCode.OK, await PostAsync(Map("1", "718-7")));
        Assert.Equal("718-7", (await TranslatedAsync("718-7"))?.Code);

        // A lab posted afterwards, in the local code, is stored as the LOINC the features read.
        var patient = """{"resourceType":"Patient","id":"cm-patient","gender":"female","birthDate":"1950-01-01"}""";
        var observation = $$$"""
            {"resourceType":"Observation","id":"cm-hgb","status":"final","subject":{"reference":"Patient/cm-patient"},"effectiveDateTime":"2026-03-01T08:00:00Z",
             "code":{"coding":[{"system":"{{{LocalLabs}}}","code":"HGB"}]},"valueQuantity":{"value":9.1,"unit":"g/dL","system":"http://unitsofmeasure.org","code":"g/dL"}}
            """;
        Assert.Equal(HttpStatusCode.OK, await PostAsync($$$"""
            {"resourceType":"Bundle","type":"transaction","entry":[
              {"resource":{{{patient}}},"request":{"method":"PUT","url":"Patient/cm-patient"}},
              {"resource":{{{observation}}},"request":{"method":"PUT","url":"Observation/cm-hgb"}}]}
            """));
        var timeline = await api.Services.GetRequiredService<IPatientTimelineReader>().ReadAsync(["cm-patient"], CancellationToken.None).SingleAsync();
        Assert.Equal((CodeSystems.Loinc, "718-7", 9.1), (timeline.Observations.Single().System, timeline.Observations.Single().Code, timeline.Observations.Single().Value));

        // A new version of the map is the one in force; the store keeps both versions.
        Assert.Equal(HttpStatusCode.OK, await PostAsync(Map("2", "20509-6")));
        Assert.Equal("20509-6", (await TranslatedAsync("20509-6"))?.Code);
        using (var client = api.CreateClient())
        {
            var history = await client.GetStringAsync("/fhir/ConceptMap/hospital-labs");
            Assert.Contains("\"versionId\":\"2\"", history.Replace(" ", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        }

        // A ConceptMap that maps nothing usable is refused, with why; the one in force stays.
        var unusable = Map("3", "718-7").Replace("\"equivalence\":\"equivalent\"", "\"equivalence\":\"inexact\",\"comment\":\"close\"", StringComparison.Ordinal);
        using (var client = api.CreateClient())
        using (var response = await client.PostAsync("/fhir", new StringContent(unusable, Encoding.UTF8, "application/fhir+json")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("cannot be used as terminology", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Equal("20509-6", (await TranslatedAsync("20509-6"))?.Code);
    }
}
