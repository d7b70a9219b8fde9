using System.Globalization;
using ClinicalCds.Application.Training.BuildDataset;
using Spectre.Console;

namespace ClinicalCds.Cli.Commands;

/// <summary>The arguments several verbs share, read one way; a bad value prints why and the verb exits 2.</summary>
internal static class CliArguments
{
    /// <summary>An ISO 8601 instant (UTC when no zone is given); null text is <paramref name="fallback"/>.</summary>
    public static bool TryInstant(string? text, DateTimeOffset? fallback, out DateTimeOffset? instant)
    {
        instant = fallback;
        if (text is null)
        {
            return true;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
        {
            instant = parsed;
            return true;
        }

        AnsiConsole.MarkupLineInterpolated($"[red]error:[/] --as-of '{text}' is not an ISO 8601 date-time.");
        return false;
    }

    /// <summary>--model readmission|complication.</summary>
    public static bool TryModel(string text, out RiskModelKind kind)
    {
        if (Enum.TryParse(text, ignoreCase: true, out kind) && !int.TryParse(text, out _))
        {
            return true;
        }

        AnsiConsole.MarkupLineInterpolated($"[red]error:[/] --model must be readmission or complication, not '{text}'.");
        return false;
    }
}
