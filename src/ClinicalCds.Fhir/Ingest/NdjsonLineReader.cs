using System.Runtime.CompilerServices;

namespace ClinicalCds.Fhir.Ingest;

/// <summary>One line of an NDJSON stream: its 1-based number and bytes, or why it was not read.</summary>
public readonly record struct NdjsonLine(long Number, byte[]? Bytes, string? Error);

/// <summary>
/// Streams the lines of an NDJSON body without ever holding more than one line (at most <c>maxLineBytes</c>) in
/// memory. An over-long line is reported and skipped to its end, so the lines after it are still read.
/// Blank lines are skipped; CRLF endings are accepted.
/// </summary>
public static class NdjsonLineReader
{
    public const int DefaultMaxLineBytes = 8 * 1024 * 1024;

    public static async IAsyncEnumerable<NdjsonLine> ReadAsync(
        Stream stream, int maxLineBytes = DefaultMaxLineBytes, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var buffer = new byte[64 * 1024];
        var line = new byte[Math.Min(maxLineBytes, 64 * 1024)];
        var length = 0;
        var overlong = false;
        long number = 1;

        while (true)
        {
            var read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            var start = 0;
            while (start < read)
            {
                var newline = Array.IndexOf(buffer, (byte)'\n', start, read - start);
                var end = newline < 0 ? read : newline;
                var count = end - start;
                if (!overlong)
                {
                    if (length + count > maxLineBytes)
                    {
                        overlong = true;
                    }
                    else
                    {
                        if (length + count > line.Length)
                        {
                            Array.Resize(ref line, Math.Min(maxLineBytes, Math.Max(line.Length * 2, length + count)));
                        }

                        Buffer.BlockCopy(buffer, start, line, length, count);
                        length += count;
                    }
                }

                if (newline < 0)
                {
                    break;
                }

                if (Complete(number, line, length, overlong, maxLineBytes) is { } completed)
                {
                    yield return completed;
                }

                number++;
                length = 0;
                overlong = false;
                start = newline + 1;
            }
        }

        if (Complete(number, line, length, overlong, maxLineBytes) is { } last)
        {
            yield return last;
        }
    }

    private static NdjsonLine? Complete(long number, byte[] line, int length, bool overlong, int maxLineBytes)
    {
        if (overlong)
        {
            return new NdjsonLine(number, null, $"Line is longer than the limit of {maxLineBytes} bytes.");
        }

        var end = length;
        while (end > 0 && IsWhiteSpace(line[end - 1]))
        {
            end--;
        }

        var begin = 0;
        while (begin < end && IsWhiteSpace(line[begin]))
        {
            begin++;
        }

        return begin == end ? null : new NdjsonLine(number, line[begin..end], null);
    }

    private static bool IsWhiteSpace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\r';
}
