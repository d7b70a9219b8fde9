using System.Text.Json;
using System.Text.Json.Nodes;

namespace ClinicalCds.Fhir.Ingest;

public enum BundleKind
{
    Transaction,
    Batch,
}

/// <summary>One entry of a posted Bundle after id assignment and reference resolution.</summary>
public sealed record BundleEntryInput(int Index, string? FullUrl, string Method, Preparation Preparation);

/// <summary>A posted Bundle read into entries, or the reason the Bundle as a whole is unusable.</summary>
public sealed record BundleInput(BundleKind Kind, IReadOnlyList<BundleEntryInput> Entries, string? Error)
{
    public static BundleInput Invalid(string error) => new(BundleKind.Batch, [], error);
}

/// <summary>
/// Reads a transaction or batch Bundle as FHIR's transaction rules ask (https://hl7.org/fhir/R4/http.html#trules):
/// every entry's resource gets its logical id (PUT url, the resource's own id, the uuid of a <c>urn:uuid:</c> fullUrl,
/// or a new one), and every <c>urn:uuid:</c>/<c>urn:oid:</c> reference to another entry is rewritten to <c>Type/id</c>.
/// Keeping the client's ids makes re-importing the same Bundle idempotent.
/// </summary>
public static class BundleEntries
{
    public static BundleInput Read(ReadOnlySpan<byte> utf8Json, Domain.Clinical.Terminology? terminology = null)
    {
        if (JsonText.HasUnpairedSurrogate(utf8Json))
        {
            return BundleInput.Invalid(JsonText.Problem);
        }

        JsonObject bundle;
        try
        {
            if (JsonNode.Parse(utf8Json) is not JsonObject root)
            {
                return BundleInput.Invalid("The body is not a JSON object.");
            }

            bundle = root;
        }
        catch (JsonException e)
        {
            return BundleInput.Invalid($"Invalid JSON: {e.Message}");
        }

        if (bundle["resourceType"]?.GetValueKind() != JsonValueKind.String || (string?)bundle["resourceType"] != "Bundle")
        {
            return BundleInput.Invalid("The body must be a Bundle resource (resourceType 'Bundle').");
        }

        var kind = StringOf(bundle["type"]) switch
        {
            "transaction" => BundleKind.Transaction,
            "batch" => BundleKind.Batch,
            _ => (BundleKind?)null,
        };
        if (kind is null)
        {
            return BundleInput.Invalid($"Bundle.type must be 'transaction' or 'batch', not '{StringOf(bundle["type"])}'.");
        }

        if (bundle["entry"] is null)
        {
            return new BundleInput(kind.Value, [], null);
        }

        if (bundle["entry"] is not JsonArray entries)
        {
            return BundleInput.Invalid("Bundle.entry must be an array of entries.");
        }

        var drafts = new Draft[entries.Count];
        var fullUrls = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < entries.Count; i++)
        {
            drafts[i] = Identify(i, entries[i] as JsonObject);
            if (drafts[i] is { Error: null, FullUrl: { } url } draft && !fullUrls.TryAdd(url, $"{draft.ResourceType}/{draft.Id}"))
            {
                drafts[i] = draft with { Error = $"fullUrl '{url}' appears on more than one entry." };
            }
        }

        var results = new BundleEntryInput[drafts.Length];
        Parallel.For(0, drafts.Length, i =>
        {
            var draft = drafts[i];
            if (draft.Error is not null || draft.Resource is null)
            {
                results[i] = new BundleEntryInput(i, draft.FullUrl, draft.Method, Preparation.Rejected($"entry[{i}]: {draft.Error}"));
                return;
            }

            var dangling = new List<string>();
            Resolve(draft.Resource, fullUrls, dangling, $"{draft.ResourceType}");
            if (dangling.Count > 0)
            {
                results[i] = new BundleEntryInput(i, draft.FullUrl, draft.Method, new Preparation(null, dangling.Select(d => $"entry[{i}]: {d}").ToList()));
                return;
            }

            var prepared = ResourcePreparer.Prepare(JsonSerializer.SerializeToUtf8Bytes(draft.Resource), terminology);
            results[i] = new BundleEntryInput(i, draft.FullUrl, draft.Method,
                prepared.Resource is null ? new Preparation(null, prepared.Errors.Select(e => $"entry[{i}] ({draft.ResourceType}): {e}").ToList()) : prepared);
        });
        return new BundleInput(kind.Value, results, null);
    }

    private sealed record Draft(string? FullUrl, string Method, string? ResourceType, string? Id, JsonObject? Resource, string? Error);

    private static Draft Identify(int index, JsonObject? entry)
    {
        if (entry is null)
        {
            return new Draft(null, "?", null, null, null, "the entry is not a JSON object.");
        }

        var fullUrl = StringOf(entry["fullUrl"]);
        var request = entry["request"] as JsonObject;
        var method = StringOf(request?["method"])?.ToUpperInvariant() ?? "POST";
        var url = StringOf(request?["url"]);
        if (entry["resource"] is not JsonObject resource)
        {
            return new Draft(fullUrl, method, null, null, null, "the entry has no resource.");
        }

        var type = StringOf(resource["resourceType"]);
        if (string.IsNullOrEmpty(type))
        {
            return new Draft(fullUrl, method, null, null, null, "the resource has no resourceType.");
        }

        if (method is not ("POST" or "PUT"))
        {
            return new Draft(fullUrl, method, type, null, null, $"request.method {method} is not supported; use POST or PUT.");
        }

        var ownId = StringOf(resource["id"]);
        string? id;
        if (method == "PUT")
        {
            var parts = url?.Split('?')[0].Split('/');
            if (parts is not { Length: 2 } || parts[0] != type || !ResourcePreparer.IsValidId(parts[1]))
            {
                return new Draft(fullUrl, method, type, null, null, $"PUT request.url must be '{type}/[id]'.");
            }

            if (ownId is not null && ownId != parts[1])
            {
                return new Draft(fullUrl, method, type, null, null, "the resource id differs from the id in request.url.");
            }

            id = parts[1];
        }
        else
        {
            id = ownId is not null && ResourcePreparer.IsValidId(ownId) ? ownId
                : fullUrl is not null && fullUrl.StartsWith("urn:uuid:", StringComparison.Ordinal) && ResourcePreparer.IsValidId(fullUrl[9..]) ? fullUrl[9..]
                : Guid.NewGuid().ToString();
        }

        resource["id"] = id;
        return new Draft(fullUrl, method, type, id, resource, null);
    }

    private static void Resolve(JsonNode? node, Dictionary<string, string> fullUrls, List<string> dangling, string path)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, child) in obj.ToList())
                {
                    if (name == "reference" && child is JsonValue value && value.TryGetValue<string>(out var reference)
                        && (reference.StartsWith("urn:uuid:", StringComparison.Ordinal) || reference.StartsWith("urn:oid:", StringComparison.Ordinal)))
                    {
                        if (fullUrls.TryGetValue(reference, out var target))
                        {
                            obj["reference"] = target;
                        }
                        else
                        {
                            dangling.Add($"reference '{reference}' at {path}.reference does not resolve to any entry of the Bundle.");
                        }
                    }
                    else
                    {
                        Resolve(child, fullUrls, dangling, $"{path}.{name}");
                    }
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    Resolve(array[i], fullUrls, dangling, $"{path}[{i}]");
                }

                break;
        }
    }

    private static string? StringOf(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}
