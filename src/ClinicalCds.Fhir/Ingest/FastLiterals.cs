namespace ClinicalCds.Fhir.Ingest;

/// <summary>
/// Quick acceptance of the common spellings of FHIR primitive literals, read as the raw UTF-8 between a JSON string's
/// quotes. Each answers true only for literals the FHIR R4 datatype rules (https://hl7.org/fhir/R4/datatypes.html)
/// accept and Firely's validator for that type accepts too (tested against it); anything else answers false and is
/// left to Firely's validator. Escaped or non-ASCII text always answers false.
/// </summary>
public static class FastLiterals
{
    /// <summary>Longest string accepted here; longer ones are left to Firely (whose own limit is far above).</summary>
    private const int MaxLength = 4096;

    /// <summary>string and markdown: regex <c>[ \r\n\t\S]+</c>; here printable ASCII only.</summary>
    public static bool IsString(ReadOnlySpan<byte> raw)
    {
        if (raw.IsEmpty || raw.Length > MaxLength)
        {
            return false;
        }

        foreach (var b in raw)
        {
            if (b is < 0x20 or > 0x7E or (byte)'\\')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>code: regex <c>[^\s]+( [^\s]+)*</c>; here printable ASCII words separated by single spaces.</summary>
    public static bool IsCode(ReadOnlySpan<byte> raw)
    {
        if (!IsString(raw) || raw[0] == ' ' || raw[^1] == ' ')
        {
            return false;
        }

        for (var i = 1; i < raw.Length; i++)
        {
            if (raw[i] == ' ' && raw[i - 1] == ' ')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>id: regex <c>[A-Za-z0-9\-\.]{1,64}</c>.</summary>
    public static bool IsId(ReadOnlySpan<byte> raw)
    {
        if (raw.IsEmpty || raw.Length > 64)
        {
            return false;
        }

        foreach (var b in raw)
        {
            if (!(char.IsAsciiLetterOrDigit((char)b) || b is (byte)'-' or (byte)'.'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>date: here only a full calendar date <c>YYYY-MM-DD</c>.</summary>
    public static bool IsDate(ReadOnlySpan<byte> raw) => raw.Length == 10 && IsCalendarDate(raw);

    /// <summary>dateTime: here a full date, or a full date and time to the second with a time zone.</summary>
    public static bool IsDateTime(ReadOnlySpan<byte> raw) => IsDate(raw) || IsInstant(raw);

    /// <summary>
    /// instant: <c>YYYY-MM-DDThh:mm:ss[.f{1,7}](Z|(+|-)hh:mm)</c> with a real date, hours 00–23, seconds 00–59 and an
    /// offset of at most 14:00 (regex of dateTime and instant in the R4 datatypes page).
    /// </summary>
    public static bool IsInstant(ReadOnlySpan<byte> raw)
    {
        if (raw.Length < 20 || !IsCalendarDate(raw[..10]) || raw[10] != 'T' || raw[13] != ':' || raw[16] != ':'
            || !Number(raw[11..13], 0, 23, out _) || !Number(raw[14..16], 0, 59, out _) || !Number(raw[17..19], 0, 59, out _))
        {
            return false;
        }

        var rest = raw[19..];
        if (rest[0] == '.')
        {
            var digits = 1;
            while (digits < rest.Length && char.IsAsciiDigit((char)rest[digits]))
            {
                digits++;
            }

            if (digits is 1 or > 8)
            {
                return false;
            }

            rest = rest[digits..];
        }

        if (rest.Length == 1)
        {
            return rest[0] == 'Z';
        }

        return rest.Length == 6 && rest[0] is (byte)'+' or (byte)'-' && rest[3] == ':'
            && Number(rest[1..3], 0, 14, out var hours) && Number(rest[4..6], 0, 59, out var minutes)
            && (hours < 14 || minutes == 0);
    }

    private static bool IsCalendarDate(ReadOnlySpan<byte> raw) =>
        raw.Length == 10 && raw[4] == '-' && raw[7] == '-'
        && Number(raw[..4], 1, 9999, out var year) && Number(raw[5..7], 1, 12, out var month)
        && Number(raw[8..10], 1, DateTime.DaysInMonth(year, month), out _);

    private static bool Number(ReadOnlySpan<byte> digits, int min, int max, out int value)
    {
        value = 0;
        foreach (var b in digits)
        {
            if (!char.IsAsciiDigit((char)b))
            {
                return false;
            }

            value = (value * 10) + (b - '0');
        }

        return value >= min && value <= max;
    }
}
