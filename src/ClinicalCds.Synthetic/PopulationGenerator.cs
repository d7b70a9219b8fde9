using System.Text;

namespace ClinicalCds.Synthetic;

/// <summary>Progress of a generation: patients written so far.</summary>
public readonly record struct SynthProgress(int PatientsWritten, int Patients);

/// <summary>A finished generation: files written and resources per type.</summary>
public sealed record SynthResult(IReadOnlyDictionary<string, long> ResourcesByType, IReadOnlyList<string> Files);

/// <summary>
/// Writes a synthetic population as FHIR Bulk Data NDJSON (one <c>Type.ndjson</c> per resource type) plus the
/// ground-truth files. Patients are simulated in parallel chunks and written in patient order, and each patient's
/// random stream depends only on (seed, patient number): the same seed gives byte-identical files.
/// </summary>
public static class PopulationGenerator
{
    private const int ChunkSize = 250;

    public static SynthResult Generate(SyntheticOptions options, string outputDirectory, IProgress<SynthProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Patients);
        Directory.CreateDirectory(outputDirectory);
        var truthDirectory = Path.Combine(outputDirectory, GroundTruth.Folder);
        Directory.CreateDirectory(truthDirectory);

        var files = new SortedDictionary<string, FileStream>(StringComparer.Ordinal);
        var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        using var readmission = new StreamWriter(Path.Combine(truthDirectory, GroundTruth.ReadmissionFile), false, new UTF8Encoding(false));
        using var complication = new StreamWriter(Path.Combine(truthDirectory, GroundTruth.ComplicationFile), false, new UTF8Encoding(false));
        readmission.Write(GroundTruth.ReadmissionHeader + "\n");
        complication.Write(GroundTruth.ComplicationHeader + "\n");

        try
        {
            void Write(NdjsonSink sink)
            {
                foreach (var (type, bytes) in sink.Contents)
                {
                    if (!files.TryGetValue(type, out var file))
                    {
                        file = new FileStream(Path.Combine(outputDirectory, $"{type}.ndjson"), FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 20);
                        files[type] = file;
                    }

                    file.Write(bytes.Span);
                    counts[type] = counts.GetValueOrDefault(type) + bytes.Span.Count((byte)'\n');
                }
            }

            var shared = new NdjsonSink();
            SyntheticFhirWriter.SharedResources(shared);
            Write(shared);

            var chunks = (options.Patients + ChunkSize - 1) / ChunkSize;
            var wave = Math.Max(2, Environment.ProcessorCount * 2);
            for (var first = 0; first < chunks; first += wave)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var count = Math.Min(wave, chunks - first);
                var results = new (NdjsonSink Sink, StringBuilder Readmission, StringBuilder Complication)[count];
                Parallel.For(0, count, new ParallelOptions { CancellationToken = cancellationToken }, c =>
                {
                    var sink = new NdjsonSink();
                    var readmissionRows = new StringBuilder();
                    var complicationRows = new StringBuilder();
                    var start = (first + c) * ChunkSize;
                    for (var i = start; i < Math.Min(options.Patients, start + ChunkSize); i++)
                    {
                        new PatientSimulator(options, i, sink, readmissionRows, complicationRows).Run();
                    }

                    results[c] = (sink, readmissionRows, complicationRows);
                });

                foreach (var (sink, readmissionRows, complicationRows) in results)
                {
                    Write(sink);
                    readmission.Write(readmissionRows);
                    complication.Write(complicationRows);
                }

                progress?.Report(new SynthProgress(Math.Min(options.Patients, (first + count) * ChunkSize), options.Patients));
            }
        }
        finally
        {
            foreach (var file in files.Values)
            {
                file.Dispose();
            }
        }

        return new SynthResult(counts, files.Keys.Select(t => $"{t}.ndjson").Append($"{GroundTruth.Folder}/{GroundTruth.ReadmissionFile}").Append($"{GroundTruth.Folder}/{GroundTruth.ComplicationFile}").ToList());
    }
}
