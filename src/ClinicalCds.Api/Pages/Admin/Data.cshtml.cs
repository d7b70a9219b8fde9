using ClinicalCds.Application.Features.GetCoverage;
using ClinicalCds.Application.Scoring;
using ClinicalCds.Domain.Risks;
using Mediator;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ClinicalCds.Api.Pages.Admin;

/// <summary>
/// The data-readiness report (admins): the same report as `clinicalcds coverage`, for a model, as of the instant the
/// nightly runs score at (or <c>?asOf=</c>).
/// </summary>
public sealed class DataModel(IMediator mediator, RiskCatalog risks, ScoringOptions scoring, TimeProvider clock) : PageModel
{
    public CoverageReport Report { get; private set; } = null!;

    public IReadOnlyList<RiskDefinition> Risks => risks.All;

    /// <summary><paramref name="asOf"/>: the end of the data (a historical extract); by default the instant runs score at.</summary>
    public async Task OnGetAsync(string? model, DateTimeOffset? asOf, CancellationToken cancellationToken)
    {
        var risk = risks.Find(model) ?? risks.All[0];
        Report = await mediator.Send(new GetCoverageQuery(risk, asOf ?? scoring.AsOf ?? clock.GetUtcNow()), cancellationToken);
    }
}
