using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;

namespace ClinicalCds.Fhir;

/// <summary>
/// The one strict FHIR R4 JSON parser and serializer of the product. Both are immutable and thread-safe, so one
/// instance serves every request; strict mode rejects unknown elements, bad dates and unknown resource types.
/// </summary>
public static partial class FhirJson
{
    private static readonly FhirJsonDeserializer Deserializer = new(new DeserializerSettings());
    private static readonly FhirJsonSerializer Serializer = new();

    /// <summary>Parses one resource; on failure returns null and the parser's messages (with element paths).</summary>
    public static Resource? TryParse(ReadOnlySpan<byte> utf8Json, out IReadOnlyList<string> errors)
    {
        var reader = new System.Text.Json.Utf8JsonReader(utf8Json);
        try
        {
            // Firely reads the first JSON value and ignores what follows; a resource is exactly one value (found by
            // the property-based tests: "{...}.A*" was accepted and stored with its trailing bytes).
            var whole = reader;
            if (whole.Read())
            {
                whole.Skip();
                if (whole.Read())
                {
                    errors = ["Invalid JSON: more than one JSON value."];
                    return null;
                }
            }

            if (Deserializer.TryDeserializeResource(reader, out var resource, out var issues) && resource is not null)
            {
                errors = [];
                return resource;
            }

            errors = issues.Select(i => Clipped(i.Message)).DefaultIfEmpty("The resource could not be parsed.").ToList();
            return null;
        }
        catch (DeserializationFailedException e)
        {
            errors = e.Exceptions.Select(x => Clipped(x.Message)).DefaultIfEmpty(Clipped(e.Message)).ToList();
            return null;
        }
        catch (System.Text.Json.JsonException e)
        {
            errors = [$"Invalid JSON: {e.Message}"];
            return null;
        }
        catch (Exception e) when (e is not (OutOfMemoryException or InsufficientExecutionStackException))
        {
            // Firely throws for JSON of shapes it does not expect — FormatException (a property named ""),
            // InvalidOperationException and IndexOutOfRangeException (an array where a resource belongs),
            // CodedValidationException (one object where contained resources belong), NotSupportedException (a string
            // where a resource belongs): found by the property-based and differential tests. Whatever it throws for an
            // input is that input's rejection, with the parser's reason.
            errors = [$"The resource could not be parsed: {Clipped(e.Message)}"];
            return null;
        }
    }

    public static byte[] ToUtf8(Base instance) => Serializer.SerializeToBytes(instance);

    /// <summary>Characters of a value a parser's message quotes before the rest is elided.</summary>
    public const int QuotedValueChars = 60;

    /// <summary>
    /// A parser's message with each value it quotes cut to <see cref="QuotedValueChars"/> characters and its length
    /// (issue 33 item 2): Firely quotes the offending value whole, so a 7.8 MB string became a 7.8 MB reason, kept per
    /// rejected line and echoed in the answer — an import's memory grew with its input whatever the batch budget, and a
    /// reason could carry a chart's text. The reason stays readable; the value is the resource's own to hold.
    /// </summary>
    public static string Clipped(string message)
    {
        var clipped = QuotedValue().Replace(message, m => string.Create(
            System.Globalization.CultureInfo.InvariantCulture, $"'{m.Groups[1].Value[..QuotedValueChars]}…' ({m.Groups[1].Value.Length:N0} characters)"));
        return clipped.Length <= MaxMessageChars ? clipped : string.Concat(clipped.AsSpan(0, MaxMessageChars), "…");
    }

    /// <summary>Characters of a parser's message kept at most, whatever it quotes.</summary>
    public const int MaxMessageChars = 1000;

    /// <summary>A quoted value longer than <see cref="QuotedValueChars"/> (60) characters.</summary>
    [System.Text.RegularExpressions.GeneratedRegex("'([^']{61,})'")]
    private static partial System.Text.RegularExpressions.Regex QuotedValue();
}
