using System.Globalization;
using System.Net;
using ClinicalCds.Application.Training.BuildReadmissionDataset;
using ClinicalCds.Domain.Features;
using ClinicalCds.IntegrationTests.Infrastructure;
using ClinicalCds.Synthetic;
using Mediator;
using Microsoft.Extensions.DependencyInjection;

namespace ClinicalCds.IntegrationTests;

/// <summary>
/// The readmission labels our dataset builder reads from the stored FHIR data agree, discharge by discharge, with the
/// synthetic generator's own ground truth (which never passes through FHIR).
/// </summary>
public sealed class ReadmissionDatasetTests : IAsyncLifetime
{
    private readonly ApiFactory _api = new();
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"clinicalcds-dataset-{Guid.NewGuid():N}");

    public Task InitializeAsync() => _api.InitializeAsync();

    public async Task DisposeAsync()
    {
        await ((IAsyncLifetime)_api).DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Index_discharges_and_labels_match_the_generators_ground_truth_and_patients_never_straddle_the_split()
    {
        var asOf = SyntheticOptions.DefaultAsOf;
        var result = PopulationGenerator.Generate(new SyntheticOptions(400, 17, asOf), _directory);
        using var client = _api.CreateClient();
        foreach (var file in result.Files.Where(f => f.EndsWith(".ndjson", StringComparison.Ordinal)))
        {
            using var content = new ByteArrayContent(await File.ReadAllBytesAsync(Path.Combine(_directory, file)));
            content.Headers.ContentType = new("application/fhir+ndjson");
            using var response = await client.PostAsync("/fhir/$import", content);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var truth = File.ReadLines(Path.Combine(_directory, "ground-truth", "readmission.csv")).Skip(1)
            .Select(line => line.Split(','))
            .ToDictionary(f => f[1], f => (Patient: f[0], Discharge: DateTimeOffset.Parse(f[2], CultureInfo.InvariantCulture), Label: f[4] switch { "1" => true, "0" => false, _ => (bool?)null }, Readmission: f[5]));

        await using var scope = _api.Services.CreateAsyncScope();
        var rows = new List<DatasetRow>();
        await foreach (var row in scope.ServiceProvider.GetRequiredService<IMediator>().CreateStream(new BuildReadmissionDatasetQuery(new DateTimeOffset(asOf), Seed: 7)))
        {
            rows.Add(row);
        }

        Assert.True(truth.Count > 150, $"only {truth.Count} index discharges generated");
        Assert.Equal(truth.Keys.Order(StringComparer.Ordinal), rows.Select(r => r.EncounterId).Order(StringComparer.Ordinal));
        foreach (var row in rows)
        {
            var expected = truth[row.EncounterId];
            Assert.Equal(expected.Patient, row.PatientId);
            Assert.Equal(expected.Discharge, row.Instant);
            Assert.True(expected.Label == row.Label, $"encounter {row.EncounterId}: ground truth {expected.Label}, dataset {row.Label}");
            if (expected.Label == true)
            {
                Assert.Equal(expected.Readmission, row.ReadmissionEncounterId);
            }
            Assert.Equal(FeatureCatalog.Version, row.Features.CatalogVersion);
        }

        Assert.Contains(rows, r => r.Label == true);
        Assert.Contains(rows, r => r.Label is null);
        Assert.DoesNotContain(rows.GroupBy(r => r.PatientId), g => g.Select(r => r.IsTest).Distinct().Count() > 1);
        var testShare = rows.Select(r => (r.PatientId, r.IsTest)).Distinct().Average(p => p.IsTest ? 1.0 : 0.0);
        Assert.InRange(testShare, 0.12, 0.28);
    }
}
