using System.Net;
using System.Text.Json;

namespace ClinicalCds.IntegrationTests.Infrastructure;

/// <summary>Imports every Synthea fixture Bundle once through POST /fhir; the tests check the store against the files.</summary>
public sealed class SyntheaImportFixture : IAsyncLifetime
{
    public ApiFactory Api { get; } = new();

    public List<JsonDocument> Responses { get; } = [];

    public async Task InitializeAsync()
    {
        await Api.InitializeAsync();
        using var client = Api.CreateClient();
        foreach (var file in Fixtures.SyntheaBundles)
        {
            using var content = new ByteArrayContent(await File.ReadAllBytesAsync(file));
            content.Headers.ContentType = new("application/fhir+json");
            using var response = await client.PostAsync("/fhir", content);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Responses.Add(JsonDocument.Parse(await response.Content.ReadAsStringAsync()));
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var response in Responses)
        {
            response.Dispose();
        }

        await ((IAsyncLifetime)Api).DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class SyntheaStore : ICollectionFixture<SyntheaImportFixture>
{
    public const string Name = "Synthea sample in the store";
}
