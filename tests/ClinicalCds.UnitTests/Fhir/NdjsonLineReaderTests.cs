using System.Text;
using ClinicalCds.Fhir.Ingest;

namespace ClinicalCds.UnitTests.Fhir;

public sealed class NdjsonLineReaderTests
{
    private static async Task<List<NdjsonLine>> Read(string text, int maxLineBytes = 1024)
    {
        // A tiny stream chunk size would not change the result; the reader's own buffer is 64 KiB.
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(text));
        var lines = new List<NdjsonLine>();
        await foreach (var line in NdjsonLineReader.ReadAsync(stream, maxLineBytes))
        {
            lines.Add(line);
        }

        return lines;
    }

    [Fact]
    public async Task Numbers_lines_from_one_and_skips_blank_ones_and_crlf()
    {
        var lines = await Read("{\"a\":1}\r\n\r\n  \n{\"b\":2}");
        Assert.Equal([1L, 4L], lines.Select(l => l.Number));
        Assert.Equal(["{\"a\":1}", "{\"b\":2}"], lines.Select(l => Encoding.UTF8.GetString(l.Bytes!)));
    }

    [Fact]
    public async Task An_over_long_line_is_reported_and_the_next_line_is_still_read()
    {
        var lines = await Read($"{{\"a\":\"{new string('x', 5000)}\"}}\n{{\"b\":2}}\n", maxLineBytes: 100);
        Assert.Equal(2, lines.Count);
        Assert.Null(lines[0].Bytes);
        Assert.Contains("longer than the limit of 100 bytes", lines[0].Error, StringComparison.Ordinal);
        Assert.Equal("{\"b\":2}", Encoding.UTF8.GetString(lines[1].Bytes!));
        Assert.Equal(2, lines[1].Number);
    }

    [Fact]
    public async Task Lines_longer_than_the_read_buffer_are_assembled_whole()
    {
        var big = $"{{\"a\":\"{new string('y', 200_000)}\"}}";
        var lines = await Read(big + "\n" + big, maxLineBytes: 1_000_000);
        Assert.Equal(2, lines.Count);
        Assert.All(lines, l => Assert.Equal(big.Length, l.Bytes!.Length));
    }
}
