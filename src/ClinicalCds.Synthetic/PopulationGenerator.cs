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

            // Simulated in waves of parallel chunks, written in patient order. Without a recent-care filter every
            // simulated patient is kept; with one, waves go on until enough are kept and the last wave is cut to the count.
            var wave = Math.Max(2, Environment.ProcessorCount * 2);
            var kept = 0;
            for (var first = 0; kept < options.Patients; first += wave)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var count = options.RecentCareDays is null ? Math.Min(wave, ((options.Patients + ChunkSize - 1) / ChunkSize) - first) : wave;
                var results = new List<(NdjsonSink Sink, StringBuilder Readmission, StringBuilder Complication)>[count];
                Parallel.For(0, count, new ParallelOptions { CancellationToken = cancellationToken }, c =>
                {
                    var patients = new List<(NdjsonSink, StringBuilder, StringBuilder)>();
                    var chunk = (Sink: new NdjsonSink(), Readmission: new StringBuilder(), Complication: new StringBuilder());
                    var start = (first + c) * ChunkSize;
                    var end = options.RecentCareDays is null ? Math.Min(options.Patients, start + ChunkSize) : start + ChunkSize;
                    for (var i = start; i < end; i++)
                    {
                        if (options.RecentCareDays is not { } days)
                        {
                            new PatientSimulator(options, i, chunk.Sink, chunk.Readmission, chunk.Complication).Run();
                            continue;
                        }

                        var one = (Sink: new NdjsonSink(), Readmission: new StringBuilder(), Complication: new StringBuilder());
                        var simulator = new PatientSimulator(options, i, one.Sink, one.Readmission, one.Complication);
                        simulator.Run();
                        if (simulator.InRecentCare(days))
                        {
                            patients.Add(one);
                        }
                    }

                    results[c] = options.RecentCareDays is null ? [chunk] : patients;
                });

                for (var c = 0; c < count; c++)
                {
                    foreach (var (sink, readmissionRows, complicationRows) in results[c].TakeWhile(_ => kept < options.Patients))
                    {
                        Write(sink);
                        readmission.Write(readmissionRows);
                        complication.Write(complicationRows);
                        kept = options.RecentCareDays is null ? Math.Min(options.Patients, (first + c + 1) * ChunkSize) : kept + 1;
                    }
                }

                progress?.Report(new SynthProgress(kept, options.Patients));
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
