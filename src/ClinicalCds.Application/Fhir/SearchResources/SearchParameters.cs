using System.Globalization;
using ClinicalCds.Application.Abstractions;

namespace ClinicalCds.Application.Fhir.SearchResources;

/// <summary>
/// The search parameters the store supports (a subset of FHIR R4 search, enough for a CDS Hooks fhirServer),
/// parsed strictly: an unsupported parameter is an error, since silently ignoring a filter would return
/// clinically wrong results.
/// </summary>
public static class SearchParameters
{
    public const int DefaultCount = 50;
    /// <summary>
    /// The largest page served. A chart's thousands of observations come in a few pages: each page of a search costs the
    /// store a pass over every matching row (its total and its place in the order), so page count, not size, is what costs.
    /// </summary>
    public const int MaxCount = 5000;

    /// <summary>The date parameter names FHIR R4 defines per type; "date" is accepted for each as well.</summary>
    private static readonly Dictionary<string, string[]> DateNames = new(StringComparer.Ordinal)
    {
        ["Encounter"] = ["date"],
        ["Condition"] = ["date", "onset-date", "recorded-date"],
        ["Observation"] = ["date"],
        ["Procedure"] = ["date"],
        ["MedicationRequest"] = ["date", "authoredon"],
    };

    public static IReadOnlyCollection<string> SupportedTypes => DateNames.Keys;

    public static (SearchCriteria? Criteria, IReadOnlyList<string> Errors) Parse(string resourceType, IReadOnlyList<KeyValuePair<string, string>> parameters)
    {
        var errors = new List<string>();
        var ids = new List<string>();
        string? patient = null;
        var dates = new List<DateFilter>();
        var codes = new List<IReadOnlyList<TokenFilter>>();
        var classes = new List<IReadOnlyList<TokenFilter>>();
        var count = DefaultCount;
        var offset = 0;
        var dateNames = DateNames.GetValueOrDefault(resourceType) ?? [];

        foreach (var (name, value) in parameters)
        {
            switch (name)
            {
                case "_format" or "_pretty":
                    break;
                case "_id":
                    ids.AddRange(value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                    break;
                case "_count":
                    if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out count) || count < 0)
                    {
                        errors.Add("_count must be a non-negative integer.");
                    }

                    count = Math.Min(count, MaxCount);
                    break;
                case "_offset":
                    if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out offset))
                    {
                        errors.Add("_offset must be a non-negative integer.");
                    }

                    break;
                case "patient" or "subject" when resourceType != "Patient":
                    var reference = value.StartsWith("Patient/", StringComparison.Ordinal) ? value["Patient/".Length..] : value;
                    if (name == "subject" && !value.StartsWith("Patient/", StringComparison.Ordinal))
                    {
                        errors.Add("subject must be a Patient reference (subject=Patient/[id]).");
                    }
                    else if (patient is not null && patient != reference)
                    {
                        errors.Add("Only one patient may be given.");
                    }
                    else
                    {
                        patient = reference;
                    }

                    break;
                case "code" when resourceType is "Condition" or "Observation" or "Procedure" or "MedicationRequest":
                    codes.Add(Tokens(value));
                    break;
                case "type" when resourceType == "Encounter":
                    codes.Add(Tokens(value));
                    break;
                case "class" when resourceType == "Encounter":
                    classes.Add(Tokens(value));
                    break;
                default:
                    if (dateNames.Contains(name))
                    {
                        if (ParseDate(name, value) is { } date)
                        {
                            dates.Add(date);
                        }
                        else
                        {
                            errors.Add($"{name}='{value}' is not a FHIR date search value (e.g. ge2024-01-01).");
                        }
                    }
                    else
                    {
                        errors.Add($"The search parameter '{name}' is not supported for {resourceType}.");
                    }

                    break;
            }
        }

        if ((dates.Count > 0 || codes.Count > 0 || classes.Count > 0) && !DateNames.ContainsKey(resourceType))
        {
            errors.Add($"Filters are not supported for {resourceType}.");
        }

        return errors.Count > 0
            ? (null, errors)
            : (new SearchCriteria(resourceType, ids, patient, dates, codes, classes, count, offset), errors);
    }

    private static List<TokenFilter> Tokens(string value) =>
        value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(token =>
            {
                var bar = token.IndexOf('|', StringComparison.Ordinal);
                return bar < 0
                    ? new TokenFilter(null, token, false)
                    : new TokenFilter(bar == 0 ? null : token[..bar], token[(bar + 1)..], true);
            })
            .ToList();

    /// <summary>Parses [prefix]value where the value's precision (year, month, day, time) sets the interval.</summary>
    public static DateFilter? ParseDate(string parameter, string value)
    {
        var prefix = DatePrefix.Eq;
        if (value.Length > 2 && char.IsLetter(value[0]) && char.IsLetter(value[1]))
        {
            DatePrefix? parsed = value[..2] switch
            {
                "eq" => DatePrefix.Eq,
                "ne" => DatePrefix.Ne,
                "gt" => DatePrefix.Gt,
                "lt" => DatePrefix.Lt,
                "ge" => DatePrefix.Ge,
                "le" => DatePrefix.Le,
                _ => null,
            };
            if (parsed is null)
            {
                return null;
            }

            prefix = parsed.Value;
            value = value[2..];
        }

        var styles = DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal;
        var c = CultureInfo.InvariantCulture;
        if (value.Length == 4 && DateTimeOffset.TryParseExact(value, "yyyy", c, styles, out var year))
        {
            return new DateFilter(parameter, prefix, year, year.AddYears(1));
        }

        if (value.Length == 7 && DateTimeOffset.TryParseExact(value, "yyyy-MM", c, styles, out var month))
        {
            return new DateFilter(parameter, prefix, month, month.AddMonths(1));
        }

        if (value.Length == 10 && DateTimeOffset.TryParseExact(value, "yyyy-MM-dd", c, styles, out var day))
        {
            return new DateFilter(parameter, prefix, day, day.AddDays(1));
        }

        if (value.Length > 10 && value[10] == 'T' && DateTimeOffset.TryParse(value, c, styles, out var instant))
        {
            return new DateFilter(parameter, prefix, instant, instant.AddSeconds(1));
        }

        return null;
    }
}
