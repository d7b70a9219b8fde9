using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using ClinicalCds.IntegrationTests.Infrastructure;

namespace ClinicalCds.IntegrationTests.Features;

/// <summary>
/// Issue 30 item 4: whether observation stays are admissions is the hospital's documented choice
/// (Encounters:ObservationStaysAreAdmissions; off, as CMS's Hospital Readmissions Reduction Program counts neither),
/// read at ingest into the encounter's kind that labels, runs, monitoring and the worklist all read.
/// </summary>
public sealed class ObservationStayTests
{
    private static JsonObject ObservationStay(string id) => new()
    {
        ["resourceType"] = "Bundle", ["type"] = "transaction",
        ["entry"] = new JsonArray(
            new JsonObject
            {
                ["resource"] = new JsonObject { ["resourceType"] = "Patient", ["id"] = $"{id}-patient" },
                ["request"] = new JsonObject { ["method"] = "PUT", ["url"] = $"Patient/{id}-patient" },
            },
            new JsonObject
            {
                ["resource"] = new JsonObject
                {
                    ["resourceType"] = "Encounter", ["id"] = id, ["status"] = "finished",
                    ["identifier"] = new JsonArray(new JsonObject { ["system"] = "http://mimic.mit.edu/fhir/mimic/identifier/encounter-hosp", ["value"] = "1" }),
                    ["class"] = new JsonObject { ["system"] = "http://terminology.hl7.org/CodeSystem/v3-ActCode", ["code"] = "OBSENC" },
                    ["subject"] = new JsonObject { ["reference"] = $"Patient/{id}-patient" },
                    ["period"] = new JsonObject { ["start"] = "2180-01-01T10:00:00-05:00", ["end"] = "2180-01-02T10:00:00-05:00" },
                },
                ["request"] = new JsonObject { ["method"] = "PUT", ["url"] = $"Encounter/{id}" },
            }),
    };

    [Theory]
    [InlineData(null, "observation")]
    [InlineData("false", "observation")]
    [InlineData("true", "inpatient")]
    public async Task An_observation_stay_is_an_admission_only_where_the_hospital_counts_it(string? counted, string kind)
    {
        var settings = new Dictionary<string, string> { ["Encounters:Profile"] = "mimic-iv" };
        if (counted is not null)
        {
            settings["Encounters:ObservationStaysAreAdmissions"] = counted;
        }

        var api = new ApiFactory(settings);
        try
        {
            await api.InitializeAsync();
            using var client = api.CreateClient();
            using var response = await client.PostAsync("/fhir", new StringContent(ObservationStay("obs-stay").ToJsonString(), Encoding.UTF8, "application/fhir+json"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);

            Assert.Equal(1, await api.Database.ScalarAsync("SELECT count(*) FROM encounters WHERE encounter_id = 'obs-stay' AND kind = @k", ("k", kind)));
        }
        finally
        {
            await ((IAsyncLifetime)api).DisposeAsync();
        }
    }
}
