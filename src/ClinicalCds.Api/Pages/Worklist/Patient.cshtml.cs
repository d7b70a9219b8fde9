using ClinicalCds.Api.Worklist;
using ClinicalCds.Application.Worklist;
using ClinicalCds.Application.Worklist.GetPatientRisk;
using ClinicalCds.Application.Worklist.RecordReviewAction;
using Mediator;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ClinicalCds.Api.Pages.Worklist;

/// <summary>A patient's risk page and its actions (post, then redirect back, so a reload never repeats an action).</summary>
public sealed class PatientModel(IMediator mediator) : PageModel
{
    public PatientRiskView View { get; private set; } = null!;

    [TempData]
    public string? Error { get; set; }

    public async Task<IActionResult> OnGetAsync(string id, CancellationToken cancellationToken)
    {
        if (await mediator.Send(new GetPatientRiskQuery(id, WorklistApi.UserName(User)), cancellationToken) is not { } view)
        {
            return NotFound();
        }

        View = view;
        return Page();
    }

    public async Task<IActionResult> OnPostActionAsync(string id, string model, ReviewActionKind kind, string? detail, CancellationToken cancellationToken)
    {
        Error = await mediator.Send(new RecordReviewActionCommand(new ReviewAction(id, model, kind, detail, WorklistApi.UserName(User))), cancellationToken);
        return Redirect($"/worklist/patients/{Uri.EscapeDataString(id)}");
    }
}
