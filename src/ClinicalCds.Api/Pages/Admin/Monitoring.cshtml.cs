using ClinicalCds.Application.CdsHooks.GetFeedbackAnalytics;
using ClinicalCds.Application.Monitoring.GetMonitoring;
using Mediator;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ClinicalCds.Api.Pages.Admin;

/// <summary>The model monitoring (admins): realised performance by month with its charts, the latest input-drift checks, and what clinicians did with the cards over time.</summary>
public sealed class MonitoringModel(IMediator mediator) : PageModel
{
    public ModelMonitoring Monitoring { get; private set; } = null!;

    public FeedbackAnalytics Feedback { get; private set; } = null!;

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Monitoring = await mediator.Send(new GetMonitoringQuery(null), cancellationToken);
        Feedback = await mediator.Send(new GetFeedbackAnalyticsQuery(), cancellationToken);
    }
}
