using System.Text;
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
        return new FhirResponse(200, Write(query, criteria, page));
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
            WriteLink(json, "self", baseUrl, query, criteria.Offset, criteria.Count);
            if (criteria.Count > 0 && criteria.Offset + criteria.Count < page.Total)
            {
                WriteLink(json, "next", baseUrl, query, criteria.Offset + criteria.Count, criteria.Count);
            }

            if (criteria.Offset > 0)
            {
                WriteLink(json, "previous", baseUrl, query, Math.Max(0, criteria.Offset - criteria.Count), criteria.Count);
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

    private static void WriteLink(Utf8JsonWriter json, string relation, string baseUrl, SearchResourcesQuery query, int offset, int count)
    {
        var parameters = query.Parameters
            .Where(p => p.Key is not ("_offset" or "_count"))
            .Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}")
            .Append($"_count={count}")
            .Append($"_offset={offset}");
        var url = new StringBuilder($"{baseUrl}/{query.ResourceType}?").AppendJoin('&', parameters).ToString();
        json.WriteStartObject();
        json.WriteString("relation", relation);
        json.WriteString("url", url);
        json.WriteEndObject();
    }
}
