using ClinicalCds.Application.Abstractions;
using ClinicalCds.Application.Models;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ClinicalCds.Api.Pages.Models;

/// <summary>
/// A serving model's card, in words and numbers. Public like a drug label: it holds no patient data, and the CDS cards a
/// clinician sees in the EHR link here as their source.
/// </summary>
public sealed class CardModel(IRiskModels models) : PageModel
{
    public ModelCard Card { get; private set; } = null!;

    public IActionResult OnGet(string name)
    {
        if (models.Find(name) is not { } model)
        {
            return NotFound();
        }

        Card = model.Card;
        return Page();
    }
}
