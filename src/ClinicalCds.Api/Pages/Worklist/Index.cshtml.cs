using ClinicalCds.Api.Worklist;
using ClinicalCds.Application.Worklist;
using ClinicalCds.Application.Worklist.GetWorklist;
using ClinicalCds.Application.Worklist.GetWorklistServices;
using Mediator;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ClinicalCds.Api.Pages.Worklist;

public sealed class IndexModel(IMediator mediator) : PageModel
{
    public WorklistPage Result { get; private set; } = null!;

    public IReadOnlyList<string> Services { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Result = await mediator.Send(new GetWorklistQuery(WorklistQuery.Parse(Request.Query), WorklistApi.UserName(User)), cancellationToken);
        Services = await mediator.Send(new GetWorklistServicesQuery(Result.Filter.Model!), cancellationToken);
    }
}
