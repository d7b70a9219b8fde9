using ClinicalCds.Api.Worklist;
using ClinicalCds.Application.Models.ChangeServing;
using ClinicalCds.Application.Models.GetServing;
using Mediator;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ClinicalCds.Api.Pages.Models;

/// <summary>
/// Model administration (admins): each model's active version with its card's headline numbers, the candidate scored
/// beside it in shadow, whether it is live here (issue 32 item 3), promotion, rollback and going live (audited, post then
/// redirect), the changes made, and what was refused.
/// </summary>
public sealed class IndexModel(IMediator mediator) : PageModel
{
    public ServingOverview Overview { get; private set; } = null!;

    [TempData]
    public string? Message { get; set; }

    [TempData]
    public string? Error { get; set; }

    public async Task OnGetAsync(CancellationToken cancellationToken) =>
        Overview = await mediator.Send(new GetServingQuery(), cancellationToken);

    public async Task<IActionResult> OnPostPromoteAsync(string model, string version, string? reason, bool @override, CancellationToken cancellationToken) =>
        Done(await mediator.Send(new ChangeServingCommand(model, ServingAction.Promote, version, WorklistApi.UserName(User), reason) { Override = @override }, cancellationToken));

    public async Task<IActionResult> OnPostRollbackAsync(string model, string? reason, CancellationToken cancellationToken) =>
        Done(await mediator.Send(new ChangeServingCommand(model, ServingAction.Rollback, null, WorklistApi.UserName(User), reason), cancellationToken));

    public async Task<IActionResult> OnPostGoLiveAsync(string model, string version, string? reason, bool accept, CancellationToken cancellationToken) =>
        Done(await mediator.Send(new ChangeServingCommand(model, ServingAction.GoLive, version, WorklistApi.UserName(User), reason) { Accept = accept }, cancellationToken));

    private RedirectResult Done(ChangeServingResult result)
    {
        Message = result.Change is { } c
            ? c.Action is "go-live" or "accept" ? $"{c.Model} {c.ToVersion} is live ({c.Action}): {c.Reason}" : $"{c.Model} {c.ToVersion} is active (was {c.FromVersion ?? "none"})."
            : null;
        Error = result.Error;
        return Redirect("/models");
    }
}
