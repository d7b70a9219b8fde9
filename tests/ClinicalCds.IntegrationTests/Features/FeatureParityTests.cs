using System.Text.Json;
using System.Net;
using ClinicalCds.Application.Abstractions;
using ClinicalCds.Domain.Features;
using ClinicalCds.Domain.Timeline;
using ClinicalCds.Fhir;
using ClinicalCds.Fhir.Ingest;
using ClinicalCds.Fhir.Mapping;
using ClinicalCds.IntegrationTests.Infrastructure;
using ClinicalCds.Synthetic;
using Hl7.Fhir.Model;
using Microsoft.Extensions.DependencyInjection;

namespace ClinicalCds.IntegrationTests.Features;

/// <summary>
/// The one-code-path promise: a patient's timeline built from FHIR resources (as a CDS Hooks prefetch delivers them)
/// and the same patient's timeline read back from the store's projections give identical facts and identical features
/// at every instant that matters (each discharge, and during each stay).
/// </summary>
internal static class Parity
{
    public static void AssertSameTimeline(PatientTimeline fromFhir, PatientTimeline fromStore)
    {
        Assert.Equal(fromFhir.Patient, fromStore.Patient);
        Assert.Equal(fromFhir.Encounters.Count, fromStore.Encounters.Count);
        foreach (var (a, b) in fromFhir.Encounters.Zip(fromStore.Encounters))
        {
            Assert.Equal(a with { Locations = [] }, b with { Locations = [] });
            Assert.Equal(a.Locations, b.Locations);
        }

        Assert.Equal(fromFhir.Conditions, fromStore.Conditions);
        Assert.Equal(fromFhir.Observations, fromStore.Observations);
        Assert.Equal(fromFhir.Procedures, fromStore.Procedures);
        Assert.Equal(fromFhir.MedicationRequests, fromStore.MedicationRequests);
    }

    /// <summary>Compares the features at every discharge and 6 h into every stay; returns how many instants were compared.</summary>
    public static int AssertSameFeatures(PatientTimeline fromFhir, PatientTimeline fromStore)
    {
        var compared = 0;
        foreach (var stay in fromFhir.Encounters.Where(EncounterKinds.IsInpatient))
        {
            var instants = new List<DateTimeOffset> { stay.Start!.Value.AddHours(6) };
            if (stay.End is { } end)
            {
                instants.Add(end);
            }

            foreach (var instant in instants)
            {
                var a = FeatureBuilder.Build(fromFhir, stay.EncounterId, instant);
                var b = FeatureBuilder.Build(fromStore, stay.EncounterId, instant);
                Assert.NotNull(a);
                Assert.NotNull(b);
                Assert.Equal(FeatureCatalog.Vectorize(a).Values, FeatureCatalog.Vectorize(b).Values);
                Assert.True(a.CharlsonCategories.SetEquals(b.CharlsonCategories));
                Assert.True(a.ElixhauserCategories.SetEquals(b.ElixhauserCategories));
                Assert.Equal(a, b with { CharlsonCategories = a.CharlsonCategories, ElixhauserCategories = a.ElixhauserCategories });
                Assert.Equal(
                    PublishedScores.All(a).Select(s => (s.Total, s.RiskCategory, string.Join("|", s.Components))),
                    PublishedScores.All(b).Select(s => (s.Total, s.RiskCategory, string.Join("|", s.Components))));
                compared++;
            }
        }

        return compared;
    }

    /// <summary>Every patient's store timeline against the one built from their resources; returns the instants compared.</summary>
    public static async Task<int> AssertStoreMatchesFhirAsync(IServiceProvider services, IReadOnlyDictionary<string, List<JsonElement>> resourcesByPatient)
    {
        var reader = services.GetRequiredService<IPatientTimelineReader>();
        var stored = new Dictionary<string, PatientTimeline>(StringComparer.Ordinal);
        await foreach (var timeline in reader.ReadAsync(resourcesByPatient.Keys.ToList(), CancellationToken.None))
        {
            stored[timeline.PatientId] = timeline;
        }

        Assert.Equal(resourcesByPatient.Count, stored.Count);
        var instants = 0;
        foreach (var (patientId, resources) in resourcesByPatient)
        {
            var fromFhir = FhirTimeline.Build(patientId, resources);
            AssertSameTimeline(fromFhir, stored[patientId]);
            instants += AssertSameFeatures(fromFhir, stored[patientId]);
        }

        return instants;
    }
}

[Collection(SyntheaStore.Name)]
public sealed class SyntheaFeatureParityTests(SyntheaImportFixture fixture)
{
    /// <summary>The resources of one fixture Bundle as JSON, with its urn:uuid references resolved.</summary>
    private static (string? PatientId, List<JsonElement> Resources) ReadBundle(string file)
    {
        var input = BundleEntries.Read(File.ReadAllBytes(file));
        Assert.Null(input.Error);
        Assert.All(input.Entries, e => Assert.True(e.Preparation.Resource is not null, string.Join("; ", e.Preparation.Errors)));
        var resources = input.Entries.Select(e => JsonElement.Parse(e.Preparation.Resource!.Json)).ToList();
        return (resources.Where(r => r.GetProperty("resourceType").GetString() == "Patient").Select(r => r.GetProperty("id").GetString()).SingleOrDefault(), resources);
    }

    [Fact]
    public async System.Threading.Tasks.Task Every_Synthea_patient_has_the_same_timeline_and_features_from_FHIR_and_from_the_store()
    {
        // Patient bundles; the sample's hospital and practitioner bundles hold no patient.
        var bundles = Fixtures.SyntheaBundles.Select(ReadBundle).Where(b => b.PatientId is not null).Select(b => (PatientId: b.PatientId!, b.Resources)).ToList();
        var instants = await Parity.AssertStoreMatchesFhirAsync(fixture.Api.Services, bundles.ToDictionary(b => b.PatientId, b => b.Resources));
        Assert.True(instants > 100, $"only {instants} instants compared");
    }
}

public sealed class SyntheticFeatureParityTests : IAsyncLifetime
{
    private readonly ApiFactory _api = new();
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"clinicalcds-parity-{Guid.NewGuid():N}");

    public System.Threading.Tasks.Task InitializeAsync() => _api.InitializeAsync();

    public async System.Threading.Tasks.Task DisposeAsync()
    {
        await ((IAsyncLifetime)_api).DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async System.Threading.Tasks.Task Every_synthetic_patient_has_the_same_timeline_and_features_from_FHIR_and_from_the_store()
    {
        var result = PopulationGenerator.Generate(new SyntheticOptions(150, 11, SyntheticOptions.DefaultAsOf), _directory);
        using var client = _api.CreateClient();
        var byPatient = new Dictionary<string, List<JsonElement>>(StringComparer.Ordinal);
        foreach (var file in result.Files.Where(f => f.EndsWith(".ndjson", StringComparison.Ordinal)).Select(f => Path.Combine(_directory, f)))
        {
            var bytes = await File.ReadAllBytesAsync(file);
            using var content = new ByteArrayContent(bytes);
            content.Headers.ContentType = new("application/fhir+ndjson");
            using var response = await client.PostAsync("/fhir/$import", content);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{Path.GetFileName(file)}: {await response.Content.ReadAsStringAsync()}");

            foreach (var line in File.ReadLines(file).Where(l => l.Length > 0))
            {
                var resource = JsonElement.Parse(line);
                var patientId = PatientReferences.PatientIdOf(resource);
                if (patientId is not null)
                {
                    (byPatient.TryGetValue(patientId, out var list) ? list : byPatient[patientId] = []).Add(resource);
                }
            }
        }

        Assert.Equal(150, byPatient.Count);
        var instants = await Parity.AssertStoreMatchesFhirAsync(_api.Services, byPatient);
        Assert.True(instants > 150, $"only {instants} instants compared");
    }
}
