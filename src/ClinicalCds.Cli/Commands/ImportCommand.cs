using System.CommandLine;
using System.Diagnostics;
using System.IO.Compression;
using ClinicalCds.Application.Abstractions;
using ClinicalCds.Application.Fhir.ImportNdjson;
using ClinicalCds.Application.Fhir.IngestBundle;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace ClinicalCds.Cli.Commands;

/// <summary>
/// clinicalcds import PATH...: Bundles (.json) and NDJSON (.ndjson, .ndjson.gz), files or folders. Exit code 0 when
/// everything was stored, 1 when some input was rejected (every valid resource is still stored), 2 on usage errors.
/// </summary>
internal static class ImportCommand
{
    private static readonly string[] Extensions = [".json", ".ndjson", ".ndjson.gz"];

    public static Command Create()
    {
        var paths = new Argument<string[]>("paths") { Description = "Files or folders of FHIR Bundles and NDJSON.", Arity = ArgumentArity.OneOrMore };
        var ifEmpty = new Option<bool>("--if-store-empty") { Description = "Import only when the store holds no patients yet (for first-run set-up)." };
        var command = new Command("import", "Import FHIR Bundles (.json) and bulk NDJSON (.ndjson, .ndjson.gz) into the store.") { paths, ifEmpty };
        command.SetAction((parse, ct) => Run(parse.GetValue(paths)!, parse.GetValue(ifEmpty), ct));
        return command;
    }

    public static IReadOnlyList<string> Files(IEnumerable<string> paths) =>
        paths.SelectMany<string, string>(path => Directory.Exists(path)
                ? Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Where(IsImportable).Order(StringComparer.Ordinal)
                : [path])
            .ToList();

    private static bool IsNdjson(string file) => !file.EndsWith(".json", StringComparison.OrdinalIgnoreCase);

    private static Stream Decompressed(string file, FileStream stream) =>
        file.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(stream, CompressionMode.Decompress) : stream;

    private static bool IsImportable(string file) => Extensions.Any(e => file.EndsWith(e, StringComparison.OrdinalIgnoreCase));

    private static async Task<int> Run(string[] paths, bool onlyIfEmpty, CancellationToken ct)
    {
        var missing = paths.Where(p => !File.Exists(p) && !Directory.Exists(p)).ToList();
        if (missing.Count > 0)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]error:[/] not found: {string.Join(", ", missing)}");
            return 2;
        }

        var files = Files(paths);
        var unsupported = files.Where(f => !IsImportable(f)).ToList();
        if (unsupported.Count > 0)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]error:[/] not a .json Bundle or .ndjson/.ndjson.gz file: {string.Join(", ", unsupported)}");
            return 2;
        }

        return await CliHost.RunAsync(async services =>
        {
            if (onlyIfEmpty && (await services.GetRequiredService<IFhirStore>().CountCurrentByTypeAsync(ct)).GetValueOrDefault("Patient") > 0)
            {
                AnsiConsole.MarkupLine("The store already holds patients; nothing imported.");
                return 0;
            }

            var mediator = services.GetRequiredService<IMediator>();
            var summary = new ImportSummary();
            var clock = Stopwatch.StartNew();
            var totalBytes = files.Sum(f => new FileInfo(f).Length);
            await AnsiConsole.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .StartAsync(async progress =>
                {
                    var bar = progress.AddTask("Importing", maxValue: Math.Max(1, totalBytes));
                    if (files.All(IsNdjson))
                    {
                        // NDJSON only: one import of all files, so that into an empty store it is one initial load.
                        double done = 0, size = 0;
                        FileStream? current = null;
                        var sources = files.Select(file => new NdjsonSource(Path.GetFileName(file), () =>
                        {
                            done += size; // the files before this one (each is disposed once read)
                            bar.Description = Markup.Escape(Path.GetFileName(file));
                            current = File.OpenRead(file);
                            size = current.Length;
                            return Decompressed(file, current);
                        })).ToList();
                        var allProgress = new InlineProgress<ImportProgress>(_ => bar.Value = done + (current is { CanSeek: true } open ? open.Position : 0));
                        summary.Add(await mediator.Send(new ImportNdjsonCommand(sources, allProgress, InitialLoadIfEmpty: true), ct));
                        bar.Value = totalBytes;
                        return;
                    }

                    foreach (var file in files)
                    {
                        var size = new FileInfo(file).Length;
                        bar.Description = Markup.Escape(Path.GetFileName(file));
                        if (!IsNdjson(file))
                        {
                            var result = await mediator.Send(new IngestBundleCommand(await File.ReadAllBytesAsync(file, ct)), ct);
                            summary.Add(Path.GetFileName(file), result);
                        }
                        else
                        {
                            await using var stream = File.OpenRead(file);
                            await using var body = Decompressed(file, stream);
                            var start = bar.Value;
                            var fileProgress = new InlineProgress<ImportProgress>(_ => bar.Value = start + (double)stream.Position);
                            summary.Add(await mediator.Send(new ImportNdjsonCommand(body, Path.GetFileName(file), fileProgress), ct));
                            bar.Value = start;
                        }

                        bar.Increment(size);
                    }
                });

            summary.Print(clock.Elapsed);
            return summary.RejectedCount > 0 ? 1 : 0;
        });
    }

    private sealed class ImportSummary
    {
        private readonly SortedDictionary<string, long> _byType = new(StringComparer.Ordinal);
        private readonly List<string> _rejections = [];
        private long _created, _updated, _unchanged;
        private bool _initialLoad;

        public int RejectedCount => _rejections.Count;

        public void Add(string file, IngestBundleResult result)
        {
            _rejections.AddRange(result.Errors.Select(e => $"{file}: {e}"));
            foreach (var entry in result.Entries)
            {
                if (entry.Outcome is { } outcome)
                {
                    Count(outcome.ResourceType, outcome.Status);
                }
                else
                {
                    _rejections.AddRange(entry.Errors.Select(e => $"{file}: {e}"));
                }
            }
        }

        public void Add(ImportResult result)
        {
            foreach (var (type, count) in result.ResourcesByType)
            {
                _byType[type] = _byType.GetValueOrDefault(type) + count;
            }

            _created += result.Created;
            _updated += result.Updated;
            _unchanged += result.Unchanged;
            _initialLoad |= result.InitialLoad;
            _rejections.AddRange(result.Rejected.Select(r => $"{r.Source} line {r.Line}: {r.Reason}"));
        }

        private void Count(string type, WriteStatus status)
        {
            _byType[type] = _byType.GetValueOrDefault(type) + 1;
            switch (status)
            {
                case WriteStatus.Created: _created++; break;
                case WriteStatus.Updated: _updated++; break;
                default: _unchanged++; break;
            }
        }

        public void Print(TimeSpan elapsed)
        {
            var table = new Table().AddColumn("Resource type").AddColumn(new TableColumn("Resources").RightAligned());
            foreach (var (type, count) in _byType)
            {
                table.AddRow(type, count.ToString("N0", System.Globalization.CultureInfo.InvariantCulture));
            }

            CliOutput.Write(table);
            var total = _created + _updated + _unchanged;
            var rate = elapsed.TotalSeconds > 0 ? total / elapsed.TotalSeconds : 0;
            AnsiConsole.MarkupLineInterpolated(
                $"Stored {total:N0} resources ({_created:N0} created, {_updated:N0} updated, {_unchanged:N0} unchanged) in {elapsed.TotalSeconds:F1} s: {rate:N0} resources/s.");
            if (_initialLoad)
            {
                AnsiConsole.MarkupLine("Initial load of an empty store: rows loaded first, indexes built after.");
            }

            if (_rejections.Count > 0)
            {
                AnsiConsole.MarkupLineInterpolated($"[red]Rejected {_rejections.Count:N0}:[/]");
                foreach (var rejection in _rejections.Take(50))
                {
                    AnsiConsole.MarkupLineInterpolated($"  [red]-[/] {rejection}");
                }

                if (_rejections.Count > 50)
                {
                    AnsiConsole.MarkupLineInterpolated($"  ... and {_rejections.Count - 50:N0} more.");
                }
            }
        }
    }
}
