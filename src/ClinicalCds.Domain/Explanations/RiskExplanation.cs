using System.Globalization;
using System.Text;
using ClinicalCds.Domain.Features;
using ClinicalCds.Domain.Scores;

namespace ClinicalCds.Domain.Explanations;

/// <summary>What a risk is about.</summary>
public enum RiskKind
{
    /// <summary>30-day readmission, judged at discharge.</summary>
    Readmission,

    /// <summary>In-hospital deterioration (ICU transfer, arrest, death), judged during the stay.</summary>
    Deterioration,
}

/// <summary>Risk tiers, lowest first.</summary>
public enum RiskTier
{
    Low,
    Moderate,
    High,
}

/// <summary>
/// A risk ready to be shown: the tier, a one-line summary (under 140 characters, as CDS Hooks asks), and a Markdown
/// detail that lists the facts that drove it with the patient's values, what was not recorded, and the reference score.
/// </summary>
public sealed record RiskExplanation(RiskKind Kind, RiskTier Tier, string Summary, string DetailMarkdown, ScoreResult Basis, ScoreResult? Reference);

/// <summary>
/// Explains a risk from the published scores until trained models take over: readmission from HOSPITAL (Donzé 2013;
/// its categories are the tiers) with LACE for reference, deterioration from NEWS2 (RCP 2017; its clinical-risk bands
/// are the tiers).
/// </summary>
public static class ScoreExplanations
{
    public static RiskExplanation Readmission(ClinicalFeatures features)
    {
        var hospital = Hospital.Score(PublishedScores.HospitalInputOf(features));
        var lace = Lace.Score(PublishedScores.LaceInputOf(features));
        var tier = hospital.RiskCategory switch
        {
            "high" => RiskTier.High,
            "intermediate" => RiskTier.Moderate,
            _ => lace.RiskCategory == "high" ? RiskTier.Moderate : RiskTier.Low,
        };
        var summary = $"{TierWord(tier)} 30-day readmission risk: HOSPITAL score {hospital.Total} ({hospital.RiskCategory}), LACE {lace.Total}";
        return new RiskExplanation(RiskKind.Readmission, tier, summary, Detail(hospital, lace, features), hospital, lace);
    }

    public static RiskExplanation Deterioration(ClinicalFeatures features)
    {
        var news2 = News2.Score(PublishedScores.News2InputOf(features));
        var tier = news2.RiskCategory switch
        {
            "high" => RiskTier.High,
            "medium" or "low-medium" => RiskTier.Moderate,
            _ => RiskTier.Low,
        };
        var summary = $"{TierWord(tier)} risk of deterioration: NEWS2 {news2.Total} ({news2.RiskCategory}){(news2.IsComplete ? string.Empty : ", incomplete")}";
        return new RiskExplanation(RiskKind.Deterioration, tier, summary, Detail(news2, null, features), news2, null);
    }

    private static string TierWord(RiskTier tier) => tier switch
    {
        RiskTier.High => "High",
        RiskTier.Moderate => "Moderate",
        _ => "Low",
    };

    private static string Detail(ScoreResult basis, ScoreResult? reference, ClinicalFeatures features)
    {
        var text = new StringBuilder();
        var drivers = basis.Components.Where(c => c.Points > 0).OrderByDescending(c => c.Points).ToList();
        text.Append(CultureInfo.InvariantCulture, $"**{basis.Name} {basis.Total}**");
        text.Append(basis.RiskCategory is { } category ? $" ({category} risk)" : string.Empty);
        text.Append(CultureInfo.InvariantCulture, $", as of {features.AsOf:yyyy-MM-dd HH:mm} UTC.\n\n");
        if (drivers.Count == 0)
        {
            text.Append("No component of the score was raised.\n");
        }
        else
        {
            text.Append("What raised it:\n\n");
            foreach (var driver in drivers)
            {
                text.Append(CultureInfo.InvariantCulture, $"- {driver.Name}: {driver.PatientValue} (+{driver.Points})\n");
            }
        }

        if (basis.Missing.Count > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"\nNot recorded (counted as normal): {string.Join(", ", basis.Missing)}.\n");
        }

        if (reference is not null)
        {
            text.Append(CultureInfo.InvariantCulture, $"\nFor reference, {reference.Name} {reference.Total}");
            text.Append(reference.RiskCategory is { } r ? $" ({r})" : string.Empty);
            text.Append(CultureInfo.InvariantCulture, $": {string.Join("; ", reference.Components.Select(c => $"{c.Name} {c.PatientValue} (+{c.Points})"))}.\n");
        }

        text.Append(CultureInfo.InvariantCulture, $"\nSource: {basis.Source}.");
        return text.ToString();
    }
}
