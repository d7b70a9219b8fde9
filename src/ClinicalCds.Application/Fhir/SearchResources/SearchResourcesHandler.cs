using System.Text.Json;
using ClinicalCds.Application.Abstractions;
using ClinicalCds.Fhir;
using Hl7.Fhir.Model;
using Mediator;

namespace ClinicalCds.Application.Fhir.SearchResources;

/// <summary>Answers a search with a searchset Bundle whose entries are the stored JSON as is, with self/next/previous links.</summary>
public sealed class SearchResourcesHandler(IFhirStore store, TimeProvider clock) : IQueryHandler<SearchResourcesQuery, FhirResponse>
{
    // FHIR JSON is not embedded in HTML here, so '&' in paging links needs no \u0026 escape.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public async ValueTask<FhirResponse> Handle(SearchResourcesQuery query, CancellationToken cancellationToken)
    {
        if (!ModelInfo.IsKnownResource(query.ResourceType))
        {
            return Outcomes.BadRequest($"'{query.ResourceType}' is not a FHIR R4 resource type.");
        }

        var (criteria, errors) = SearchParameters.Parse(query.ResourceType, query.Parameters);
        if (criteria is null)
        {
            return Outcomes.BadRequest([.. errors]);
        }

        var page = await store.SearchAsync(criteria, cancellationToken);
        return new FhirResponse(FhirResponseKind.Ok, Write(query, criteria, page));
    }

    private byte[] Write(SearchResourcesQuery query, SearchCriteria criteria, SearchPage page)
    {
        var baseUrl = query.BaseUrl.TrimEnd('/');
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("resourceType", "Bundle");
            json.WriteString("id", Guid.NewGuid().ToString());
            json.WriteStartObject("meta");
            json.WriteString("lastUpdated", clock.GetUtcNow().ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture));
            json.WriteEndObject();
            json.WriteString("type", "searchset");
            json.WriteNumber("total", page.Total);
            json.WriteStartArray("link");
            foreach (var (relation, url) in SearchLinks.Of(baseUrl, query.ResourceType, query.Parameters, criteria.Offset, criteria.Count, page.Total))
            {
                json.WriteStartObject();
                json.WriteString("relation", relation);
                json.WriteString("url", url);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("entry");
            foreach (var resource in page.Resources)
            {
                json.WriteStartObject();
                json.WriteString("fullUrl", $"{baseUrl}/{resource.ResourceType}/{resource.Id}");
                json.WritePropertyName("resource");
                json.WriteRawValue(resource.Json, skipInputValidation: true);
                json.WriteStartObject("search");
                json.WriteString("mode", "match");
                json.WriteEndObject();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
