using ClinicalCds.Application.Abstractions;
using ClinicalCds.Application.Models;
using ClinicalCds.Domain.Risks;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ClinicalCds.Api.Pages.Models;

/// <summary>Model administration (admins): what is serving, with its card's headline numbers, and what was refused and why.</summary>
public sealed class IndexModel(IRiskModels models, RiskCatalog risks) : PageModel
{
    public IReadOnlyList<ModelCard> Cards { get; private set; } = [];

    public IReadOnlyList<string> Refused { get; private set; } = [];

    public void OnGet()
    {
        Cards = [.. risks.Names.Select(models.Find).OfType<IRiskModel>().Select(m => m.Card)];
        Refused = models.Refused;
    }
}
