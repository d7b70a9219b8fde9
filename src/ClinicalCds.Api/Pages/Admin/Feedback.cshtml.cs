using ClinicalCds.Application.CdsHooks.GetFeedbackAnalytics;
using Mediator;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ClinicalCds.Api.Pages.Admin;

/// <summary>CDS feedback analytics (admins): per service and card kind, shown, accepted, overridden by reason, suggestion uptake, by month.</summary>
public sealed class FeedbackModel(IMediator mediator) : PageModel
{
    public FeedbackAnalytics Analytics { get; private set; } = null!;

    public async Task OnGetAsync(CancellationToken cancellationToken) =>
        Analytics = await mediator.Send(new GetFeedbackAnalyticsQuery(), cancellationToken);
}
