using ClinicalCds.Application.Abstractions;
using ClinicalCds.Application.CdsHooks.EvaluateHook;
using Mediator;

namespace ClinicalCds.Application.CdsHooks.GetFeedbackAnalytics;

/// <summary>What clinicians did with the cards, per service and card kind (indicator), month by month and in all.</summary>
public sealed record GetFeedbackAnalyticsQuery : IQuery<FeedbackAnalytics>;

/// <summary>One service and card kind over a period: shown, accepted, overridden (by reason, in words), suggestion uptake.</summary>
public sealed record FeedbackLine(
    string Period, string ServiceId, string Indicator, long Shown, long Accepted, long Overridden, long WithSuggestions,
    IReadOnlyDictionary<string, long> OverrideReasons)
{
    /// <summary>Accepted cards among those that offered a suggestion (a card is accepted by taking one of its suggestions).</summary>
    public double? SuggestionUptake => WithSuggestions == 0 ? null : Accepted / (double)WithSuggestions;

    /// <summary>Cards that got any feedback at all.</summary>
    public double? Answered => Shown == 0 ? null : (Accepted + Overridden) / (double)Shown;
}

/// <summary>The totals per service and kind, and the same month by month (oldest first).</summary>
public sealed record FeedbackAnalytics(IReadOnlyList<FeedbackLine> Totals, IReadOnlyList<FeedbackLine> Months)
{
    /// <summary>Each service's feedback over time (all its card kinds): shares accepted, overridden and unanswered per month, as SVG.</summary>
    public IEnumerable<(string ServiceId, string Svg)> Charts() => Months
        .GroupBy(l => l.ServiceId, StringComparer.Ordinal)
        .OrderBy(g => g.Key, StringComparer.Ordinal)
        .Select(g => (g.Key, Models.Evaluation.EvaluationPlots.FeedbackOverTimeSvg(
            [.. g.GroupBy(l => l.Period, StringComparer.Ordinal).Select(p => (
                DateOnly.ParseExact(p.Key, "yyyy-MM", System.Globalization.CultureInfo.InvariantCulture),
                p.Sum(l => l.Shown), p.Sum(l => l.Accepted), p.Sum(l => l.Overridden)))],
            $"{g.Key}: cards by month")));
}

public sealed class GetFeedbackAnalyticsHandler(IFeedbackAnalytics store) : IQueryHandler<GetFeedbackAnalyticsQuery, FeedbackAnalytics>
{
    /// <summary>An override reason in words: the display the card offered it with, else its code.</summary>
    public static string ReasonText(string token) =>
        RiskCards.OverrideReasons.FirstOrDefault(r => CdsCoding.Token(r.System, r.Code) == token)?.Display ?? token[(token.LastIndexOf('|') + 1)..];

    public async ValueTask<FeedbackAnalytics> Handle(GetFeedbackAnalyticsQuery query, CancellationToken cancellationToken)
    {
        var months = await store.FeedbackByMonthAsync(cancellationToken);
        static IReadOnlyDictionary<string, long> Reasons(IEnumerable<FeedbackMonth> rows) => rows
            .SelectMany(m => m.OverrideReasons)
            .GroupBy(r => ReasonText(r.Key), StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Sum(r => r.Value), StringComparer.Ordinal);
        var totals = months.GroupBy(m => (m.ServiceId, m.Indicator))
            .OrderBy(g => g.Key.ServiceId, StringComparer.Ordinal).ThenBy(g => g.Key.Indicator, StringComparer.Ordinal)
            .Select(g => new FeedbackLine("all", g.Key.ServiceId, g.Key.Indicator, g.Sum(m => m.Shown), g.Sum(m => m.Accepted), g.Sum(m => m.Overridden),
                g.Sum(m => m.WithSuggestions), Reasons(g)))
            .ToList();
        var byMonth = months
            .Select(m => new FeedbackLine(m.Month.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture), m.ServiceId, m.Indicator, m.Shown,
                m.Accepted, m.Overridden, m.WithSuggestions, Reasons([m])))
            .ToList();
        return new FeedbackAnalytics(totals, byMonth);
    }
}
