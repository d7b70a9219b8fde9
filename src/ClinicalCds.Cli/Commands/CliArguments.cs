using System.Globalization;
using System.Diagnostics.CodeAnalysis;
using ClinicalCds.Domain.Risks;
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

    /// <summary>
    /// --now no later than the data's present (<paramref name="present"/>: Scoring:AsOf, else the clock): outcomes after it
    /// are not known yet, so labelling from a later instant would read every event still to come as absent (issue 32 item 6).
    /// </summary>
    public static bool NotInTheFuture(DateTimeOffset now, DateTimeOffset present)
    {
        if (now <= present)
        {
            return true;
        }

        AnsiConsole.MarkupLineInterpolated(
            $"[red]error:[/] --now {now:yyyy-MM-dd HH:mm} UTC is after the data's present ({present:yyyy-MM-dd HH:mm} UTC: Scoring:AsOf, else the clock): outcomes after it are not known yet, and labels from it would read every event still to come as absent.");
        return false;
    }

    /// <summary>--model NAME: a risk of the installation's catalog (readmission, complication, ...).</summary>
    public static bool TryModel(string text, RiskCatalog risks, [NotNullWhen(true)] out RiskDefinition? risk)
    {
        risk = risks.Find(text.ToLowerInvariant());
        if (risk is not null)
        {
            return true;
        }

        AnsiConsole.MarkupLineInterpolated($"[red]error:[/] --model must be one of {risks.Known}, not '{text}'.");
        return false;
    }
}
