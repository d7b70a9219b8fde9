using System.Text.Json;
using System.Text.Json.Nodes;

namespace ClinicalCds.UnitTests.Fhir;

/// <summary>
/// Mutates FHIR JSON the ways senders get it wrong: elements dropped, renamed (case, choice type, unknown, "_"
/// prefix), duplicated, wrapped in or unwrapped from arrays, given values of the wrong kind or edge-case literals.
/// </summary>
public static class JsonMutants
{
    private const string Duplicate = "zzduplicatezz_";

    private static readonly string[] Values =
    [
        "\"\"", "\" a\"", "\"a  b\"", "\"2020-13-01\"", "\"2020-02-30\"", "\"2020-01-01T10:00:00\"", "\"2020-01-01T10:00:00Z\"",
        "\"2020-01-01T24:00:00Z\"", "\"2020-01-01T10:00:00+14:30\"", "\"2020\"", "\"2020-02\"", "\"0000-01-01\"", "\"12:00:00\"",
        "\"true\"", "\"foo\"", "\"final\"", "\"male\"", "\"AAAA\"", "\"!!!\"", "\"Patient/1\"", "\"urn:uuid:5\"", "\"http://x y\"",
        "\"\\u0001\"", "\"a\\tb\"", "\"a\\u00a0b\"", "\"1.5\"", "0", "-1", "1", "2147483648", "1.5", "1.0", "1e2", "-0", "1E400",
        "null", "true", "false", "[]", "{}", "[1]", "[\"a\"]", "[null]", "[{}]", "{\"a\":1}", "{\"id\":\"x\"}", "{\"text\":\"x\"}",
        "{\"value\":1}", "{\"url\":\"http://x\",\"valueString\":\"y\"}", "[{\"url\":\"http://x\",\"valueString\":\"y\"}]",
        "{\"reference\":\"Patient/1\"}", "{\"resourceType\":\"Patient\",\"id\":\"c\"}", "[{\"resourceType\":\"Patient\",\"id\":\"c\"}]",
        "[{\"resourceType\":\"Patient\"}]", "[{\"resourceType\":\"Patient\",\"id\":\"c\",\"gender\":\"zz\"}]",
        "{\"status\":\"generated\",\"div\":\"<div>x</div>\"}",
    ];

    private static readonly string[] Names =
    [
        "id", "extension", "modifierExtension", "text", "status", "resourceType", "contained", "_status", "_id", "meta", "foo",
        "Status", "code", "value", "valueString", "valueQuantity", "system", "display", "url", "reference", "div", "", "language",
        "implicitRules",
    ];

    private static readonly string[] ChoiceSuffixes =
        ["String", "Boolean", "Integer", "DateTime", "Quantity", "CodeableConcept", "Period", "Reference", "Date", "Instant", "Code", "Uri", "Decimal", "string", "Time"];

    /// <summary>One to three mutations of <paramref name="json"/> (a JSON object), chosen by <paramref name="random"/>.</summary>
    public static string Mutate(string json, Random random)
    {
        var root = JsonNode.Parse(json)!;
        for (var round = random.Next(1, 4); round > 0; round--)
        {
            var slots = new List<(JsonNode Parent, string? Name, int Index)>();
            Collect(root, slots);
            if (slots.Count == 0)
            {
                break;
            }

            var (parent, name, index) = slots[random.Next(slots.Count)];
            var value = name is not null ? parent[name] : parent[index];
            switch (random.Next(8))
            {
                case 0:
                    Remove(parent, name, index);
                    break;
                case 1:
                    Replace(parent, name, index, JsonNode.Parse(Values[random.Next(Values.Length)]));
                    break;
                case 2 when name is not null:
                    Rename((JsonObject)parent, name, NewName(name, random));
                    break;
                case 3:
                    Replace(parent, name, index, value is JsonArray { Count: > 0 } array ? array[0]?.DeepClone() : new JsonArray([value?.DeepClone()]));
                    break;
                case 4 when name is not null:
                    ((JsonObject)parent)[Duplicate + name] = value?.DeepClone();
                    break;
                case 5 when value is JsonObject target:
                    var added = Names[random.Next(Names.Length)];
                    if (!target.ContainsKey(added))
                    {
                        target[added] = JsonNode.Parse(Values[random.Next(Values.Length)]);
                    }

                    break;
                case 6 when value is JsonArray { Count: > 0 } items:
                    items.Add(items[random.Next(items.Count)]?.DeepClone());
                    break;
                case 7 when value is JsonValue text && text.GetValueKind() == JsonValueKind.String:
                    var s = text.GetValue<string>();
                    Replace(parent, name, index, JsonValue.Create(random.Next(3) switch
                    {
                        0 => s + "x",
                        1 => s.ToUpperInvariant(),
                        _ => s.Length > 1 ? s[..^1] : "",
                    }));
                    break;
            }
        }

        // A JsonObject cannot hold one name twice; the marked copy becomes the duplicate in the text.
        return root.ToJsonString().Replace("\"" + Duplicate, "\"", StringComparison.Ordinal);
    }

    private static string NewName(string name, Random random)
    {
        if (name.Length == 0)
        {
            return "x";
        }

        var upper = name.Skip(1).ToList().FindIndex(char.IsUpper);
        return random.Next(4) switch
        {
            0 when upper >= 0 => name[..(upper + 1)] + ChoiceSuffixes[random.Next(ChoiceSuffixes.Length)],
            1 => char.IsUpper(name[0]) ? char.ToLowerInvariant(name[0]) + name[1..] : char.ToUpperInvariant(name[0]) + name[1..],
            2 => "_" + name,
            _ => Names[random.Next(Names.Length)],
        };
    }

    private static void Collect(JsonNode node, List<(JsonNode, string?, int)> slots)
    {
        if (node is JsonObject obj)
        {
            foreach (var (name, value) in obj.ToList())
            {
                slots.Add((obj, name, -1));
                if (value is not null)
                {
                    Collect(value, slots);
                }
            }
        }
        else if (node is JsonArray array)
        {
            for (var i = 0; i < array.Count; i++)
            {
                slots.Add((array, null, i));
                if (array[i] is { } item)
                {
                    Collect(item, slots);
                }
            }
        }
    }

    private static void Remove(JsonNode parent, string? name, int index)
    {
        if (name is not null)
        {
            ((JsonObject)parent).Remove(name);
        }
        else
        {
            ((JsonArray)parent).RemoveAt(index);
        }
    }

    private static void Replace(JsonNode parent, string? name, int index, JsonNode? value)
    {
        if (name is not null)
        {
            ((JsonObject)parent)[name] = value;
        }
        else
        {
            ((JsonArray)parent)[index] = value;
        }
    }

    private static void Rename(JsonObject parent, string from, string to)
    {
        if (parent.ContainsKey(to))
        {
            return;
        }

        var properties = parent.ToList();
        parent.Clear();
        foreach (var (name, value) in properties)
        {
            parent[name == from ? to : name] = value;
        }
    }
}
