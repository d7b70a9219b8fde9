using ClinicalCds.Domain.Explanations;

namespace ClinicalCds.Domain.Risks;

/// <summary>
/// A published score's own alarm, part of a risk's definition (<see cref="RiskDefinition.Guardrail"/>): the tier every
/// place shows — card, nightly run, worklist — is never below <see cref="AtLeast"/>, whatever a model estimates, and a
/// card is shown whatever the low-tier setting says. The model may add to the alarm, never silence it.
/// </summary>
/// <param name="AtLeast">The lowest tier the risk may be shown in.</param>
/// <param name="Reason">Why, with the score's value and the threshold's source: "NEWS2 18 — emergency response threshold (RCP 2017)".</param>
public sealed record Guardrail(RiskTier AtLeast, string Reason)
{
    /// <summary><paramref name="tier"/>, raised to <see cref="AtLeast"/> when below it.</summary>
    public RiskTier Floor(RiskTier tier) => tier < AtLeast ? AtLeast : tier;
}
