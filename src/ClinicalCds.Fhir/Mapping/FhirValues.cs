using System.Globalization;
using System.Text.Json;

namespace ClinicalCds.Fhir.Mapping;

/// <summary>A Coding's system, code and display.</summary>
public readonly record struct CodingValue(string? System, string Code, string? Display);

/// <summary>
/// Reading FHIR R4 JSON values the way the projections need them, straight from the JSON as it arrived: any shape is
/// read without throwing, and a value that is present but not what FHIR allows is named in <c>problems</c>.
/// </summary>
public static class FhirValues
{
    /// <summary>
    /// A FHIR dateTime, date or instant as UTC. Partial dates (yyyy, yyyy-MM) become their first day; a dateTime
    /// without a zone is read as UTC (FHIR requires a zone whenever a time is given).
    /// </summary>
    public static DateTimeOffset? Instant(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var text = value.Length switch
        {
            4 => value + "-01-01",
            7 => value + "-01",
            _ => value,
        };
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed)
            ? parsed.ToUniversalTime()
            : null;
    }

    /// <summary>The property's value, or an undefined element when the element is not an object or has no such property.</summary>
    public static JsonElement Property(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) ? value : default;

    /// <summary>A string property; a value of another JSON kind is a problem.</summary>
    public static string? String(JsonElement element, string name, ICollection<string>? problems = null)
    {
        var value = Property(element, name);
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                return value.GetString();
            case JsonValueKind.Undefined or JsonValueKind.Null:
                return null;
            default:
                problems?.Add($"'{name}' must be a string.");
                return null;
        }
    }

    /// <summary>The object items of an array property (a single object is read as one item).</summary>
    public static IEnumerable<JsonElement> Items(JsonElement element, string name)
    {
        var value = Property(element, name);
        return value.ValueKind switch
        {
            JsonValueKind.Array => value.EnumerateArray().Where(item => item.ValueKind == JsonValueKind.Object),
            JsonValueKind.Object => [value],
            _ => [],
        };
    }

    /// <summary>A date, dateTime or instant property as UTC; text that is no such value is a problem.</summary>
    public static DateTimeOffset? Instant(JsonElement element, string name, ICollection<string>? problems = null)
    {
        var text = String(element, name, problems);
        var instant = Instant(text);
        if (instant is null && !string.IsNullOrWhiteSpace(text))
        {
            problems?.Add($"'{name}' is not a valid FHIR date or dateTime.");
        }

        return instant;
    }

    /// <summary>Start of a choice element <c>name[x]</c> given as dateTime, Period, instant or date.</summary>
    public static DateTimeOffset? Start(JsonElement element, string name, ICollection<string>? problems = null) =>
        Instant(element, name + "DateTime", problems)
        ?? Instant(Property(element, name + "Period"), "start", problems)
        ?? Instant(element, name + "Instant", problems)
        ?? Instant(element, name + "Date", problems);

    /// <summary>End of a choice element <c>name[x]</c>: a Period's end; a dateTime ends when it starts.</summary>
    public static DateTimeOffset? End(JsonElement element, string name, ICollection<string>? problems = null) =>
        Property(element, name + "Period") is { ValueKind: JsonValueKind.Object } period
            ? Instant(period, "end", problems)
            : Start(element, name, problems);

    /// <summary>A decimal, integer or boolean read as a number; another JSON kind is a problem.</summary>
    public static double? Number(JsonElement element, string name, ICollection<string>? problems = null)
    {
        var value = Property(element, name);
        switch (value.ValueKind)
        {
            case JsonValueKind.Number when value.TryGetDouble(out var number) && double.IsFinite(number):
                return number;
            case JsonValueKind.Undefined or JsonValueKind.Null:
                return null;
            default:
                problems?.Add($"'{name}' must be a number.");
                return null;
        }
    }

    /// <summary>The logical id of a Reference to <paramref name="resourceType"/> (relative or absolute), else null.</summary>
    public static string? ReferencedId(JsonElement reference, string resourceType)
    {
        var text = String(reference, "reference");
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        var parts = text.Split('/');
        for (var i = parts.Length - 2; i >= 0; i--)
        {
            if (parts[i] == resourceType)
            {
                return parts[i + 1].Length > 0 ? parts[i + 1] : null;
            }
        }

        return null;
    }

    /// <summary>The first coding of a CodeableConcept that has a code.</summary>
    public static CodingValue? FirstCoding(JsonElement concept) => Codings(concept).Cast<CodingValue?>().FirstOrDefault();

    /// <summary>The first coding of a CodeableConcept in <paramref name="system"/> that has a code.</summary>
    public static CodingValue? Coding(JsonElement concept, string system) =>
        Codings(concept).Where(c => c.System == system).Cast<CodingValue?>().FirstOrDefault();

    /// <summary>Every coding of a CodeableConcept that has a code, in order.</summary>
    public static IEnumerable<CodingValue> Codings(JsonElement concept) =>
        from coding in Items(concept, "coding")
        let code = String(coding, "code")
        where !string.IsNullOrEmpty(code)
        select new CodingValue(String(coding, "system"), code, String(coding, "display"));
}
