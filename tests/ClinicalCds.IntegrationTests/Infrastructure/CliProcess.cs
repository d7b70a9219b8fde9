using System.Diagnostics;
using System.Text;

namespace ClinicalCds.IntegrationTests.Infrastructure;

/// <summary>The clinicalcds executable as a user (or an orchestrator) runs it: a real process with its own environment.</summary>
public sealed class CliProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private CliProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    /// <summary>The process id (the server itself: `dotnet clinicalcds.dll` runs it in this process).</summary>
    public int Id => _process.Id;

    /// <summary>Waits for the process to end by itself (or fails the test after <paramref name="seconds"/>).</summary>
    public async Task WaitForExitAsync(int seconds)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        await _process.WaitForExitAsync(timeout.Token);
        _process.WaitForExit(); // drains the asynchronous output readers
    }

    public int ExitCode => _process.ExitCode;

    /// <summary>Starts `clinicalcds ARGS` with the given environment (added to the test process's own).</summary>
    public static CliProcess Start(IReadOnlyDictionary<string, string> environment, params string[] args) => StartIn(null, environment, args);

    /// <summary>`clinicalcds serve` at <paramref name="url"/>, publicly known by that address (required outside Development).</summary>
    public static string[] Serve(Uri url) => ["serve", "--urls", url.ToString(), $"--CdsHooks:PublicBaseUrl={url}"];

    /// <summary>As <see cref="Start"/>, in <paramref name="workingDirectory"/> (the test process's own when null).</summary>
    public static CliProcess StartIn(string? workingDirectory, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (workingDirectory is not null)
        {
            start.WorkingDirectory = workingDirectory;
        }

        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "clinicalcds.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["COLUMNS"] = "200";
        // As ApiFactory: the shipped models' cards shown, as in the demo, unless a test sets the gate itself.
        start.Environment["Models__GoLive__Required"] = "false";
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        return new CliProcess(Process.Start(start)!);
    }

    /// <summary>Runs `clinicalcds ARGS` to its end: its exit code and everything it printed.</summary>
    public static Task<(int ExitCode, string Output)> RunAsync(IReadOnlyDictionary<string, string> environment, params string[] args) =>
        RunInAsync(null, environment, args);

    /// <summary>As <see cref="RunAsync"/>, in <paramref name="workingDirectory"/>.</summary>
    public static async Task<(int ExitCode, string Output)> RunInAsync(string? workingDirectory, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        await using var process = StartIn(workingDirectory, environment, args);
        await process._process.WaitForExitAsync();
        process._process.WaitForExit(); // drains the asynchronous output readers
        return (process.ExitCode, process.Output);
    }

    /// <summary>SIGKILL: the process dies at once, in the middle of whatever it was doing.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    public ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Kill();
        }

        _process.Dispose();
        return ValueTask.CompletedTask;
    }
}
