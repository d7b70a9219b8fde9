using System.Globalization;
using Hl7.Fhir.Model;

namespace ClinicalCds.Fhir.Mapping;

/// <summary>Reading FHIR primitive values the way the projections need them.</summary>
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

    public static DateOnly? Date(string? value) =>
        Instant(value) is { } instant ? DateOnly.FromDateTime(instant.UtcDateTime) : null;

    /// <summary>Start of a dateTime or Period choice element.</summary>
    public static DateTimeOffset? Start(DataType? value) => value switch
    {
        FhirDateTime dateTime => Instant(dateTime.Value),
        Period period => Instant(period.Start),
        Instant instant => instant.Value?.ToUniversalTime(),
        Date date => Instant(date.Value),
        _ => null,
    };

    /// <summary>End of a Period choice element; a dateTime ends when it starts.</summary>
    public static DateTimeOffset? End(DataType? value) => value switch
    {
        Period period => Instant(period.End),
        _ => Start(value),
    };

    /// <summary>The logical id of a reference to <paramref name="resourceType"/> (relative or absolute), else null.</summary>
    public static string? ReferencedId(ResourceReference? reference, string resourceType)
    {
        var text = reference?.Reference;
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

    public static Coding? FirstCoding(CodeableConcept? concept) => concept?.Coding?.FirstOrDefault(c => !string.IsNullOrEmpty(c.Code));

    public static Coding? Coding(CodeableConcept? concept, string system) =>
        concept?.Coding?.FirstOrDefault(c => c.System == system && !string.IsNullOrEmpty(c.Code));
}
