using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;

namespace ClinicalCds.Infrastructure.Models;

/// <summary>
/// ONNX Runtime's official native library (1.29 and later on Linux) sends telemetry to Microsoft by itself: measured
/// with <c>strace -f -e trace=connect</c>, `clinicalcds serve` looked up mobile.events.data.microsoft.com during a hook.
/// A hospital's server makes no outbound connection its operator did not configure. The full opt-out on Linux is the
/// process environment variable ORT_DISABLE_TELEMETRY=1, read once when the runtime initializes; .NET's own
/// <see cref="Environment.SetEnvironmentVariable(string, string)"/> does not reach native code on Linux, so it is set
/// with libc's setenv before the first ONNX Runtime call, and the runtime's own switch is turned off as well.
/// </summary>
public static partial class OnnxRuntimeTelemetry
{
    private static readonly Lazy<bool> Disabled = new(() =>
    {
        if (!OperatingSystem.IsWindows())
        {
            _ = SetEnvironment("ORT_DISABLE_TELEMETRY", "1", 1);
        }

        Environment.SetEnvironmentVariable("ORT_DISABLE_TELEMETRY", "1");
        OrtEnv.Instance().DisableTelemetryEvents();
        return true;
    });

    /// <summary>Turns ONNX Runtime's telemetry off for this process; call before any session is created (idempotent).</summary>
    public static void Disable() => _ = Disabled.Value;

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnvironment(string name, string value, int overwrite);
}
