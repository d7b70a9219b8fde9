using System.Buffers.Text;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace ClinicalCds.Fhir;

/// <summary>
/// JSON can spell, with <c>\u</c> escapes, strings that are not text: a UTF-16 surrogate without its pair
/// (<c>"\ud800"</c>). System.Text.Json parses such a document but throws when the string is read (RFC 8259 §8.2 leaves
/// their meaning open), so every JSON input is checked once where it enters and refused as a bad request.
/// </summary>
public static class JsonText
{
    public const string Problem = "A JSON string holds an unpaired UTF-16 surrogate escape (\\uD800–\\uDFFF), which is not text.";

    /// <summary>True when some string or property name of the UTF-8 JSON has an unpaired surrogate escape.</summary>
    public static bool HasUnpairedSurrogate(ReadOnlySpan<byte> json)
    {
        var pendingHigh = false;
        for (var i = json.IndexOf((byte)'\\'); i >= 0 && i < json.Length - 1;)
        {
            if (json[i + 1] != 'u')
            {
                if (pendingHigh)
                {
                    return true;
                }

                i = Next(json, i + 2);
                continue;
            }

            if (i + 6 > json.Length || !Utf8Parser.TryParse(json.Slice(i + 2, 4), out ushort unit, out var used, 'x') || used != 4)
            {
                return false; // not an escape JSON allows: the parser refuses the document anyway
            }

            var isHigh = unit is >= 0xD800 and <= 0xDBFF;
            var isLow = unit is >= 0xDC00 and <= 0xDFFF;
            if ((pendingHigh && !isLow) || (!pendingHigh && isLow))
            {
                return true;
            }

            // A high surrogate must be followed at once by its low half's escape.
            pendingHigh = isHigh;
            if (pendingHigh && (i + 7 >= json.Length || json[i + 6] != '\\'))
            {
                return true;
            }

            i = pendingHigh ? i + 6 : Next(json, i + 6);
        }

        return pendingHigh;
    }

    /// <summary>The same check over a parsed document: the raw text of every string and property name.</summary>
    public static bool HasUnpairedSurrogate(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                return HasUnpairedSurrogate(JsonMarshal.GetRawUtf8Value(element));
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    if (HasUnpairedSurrogate(item))
                    {
                        return true;
                    }
                }

                return false;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    if (HasUnpairedSurrogate(JsonMarshal.GetRawUtf8PropertyName(property)) || HasUnpairedSurrogate(property.Value))
                    {
                        return true;
                    }
                }

                return false;
            default:
                return false;
        }
    }

    private static int Next(ReadOnlySpan<byte> json, int from)
    {
        if (from >= json.Length)
        {
            return -1;
        }

        var next = json[from..].IndexOf((byte)'\\');
        return next < 0 ? -1 : from + next;
    }
}
