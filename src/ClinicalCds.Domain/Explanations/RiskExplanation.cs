using System.Globalization;
using System.Text;
using ClinicalCds.Domain.Features;
using ClinicalCds.Domain.Risks;
using ClinicalCds.Domain.Scores;

namespace ClinicalCds.Domain.Explanations;

/// <summary>A model input not recorded, and how far it alone could move the probability across its plausible (reference) values.</summary>
public sealed record MissingInput(string Feature, double LowestProbability, double HighestProbability)
{
    public double Spread => HighestProbability - LowestProbability;
}

/// <summary>
/// What a model's estimate did not know: how many of its inputs, which ones (those that matter most first), and the
/// plausible range of the probability given them (the narrowest range holding 8 in 10 of its values over their completions).
/// </summary>
public sealed record MissingEvidence(int InputCount, IReadOnlyList<MissingInput> Inputs, double PlausibleLow, double PlausibleHigh)
{
    /// <summary>The inputs the model leans on most (<see cref="TreeEnsemble.Importance"/>) when every one of them is missing; else empty.</summary>
    public IReadOnlyList<string> MainInputsMissing { get; init; } = [];

    /// <summary>
    /// How low the probability could be were the missing labs and vital signs normal (a bound no normal values go
    /// below); null when none of them is missing.
    /// </summary>
    public double? IfNormalLow { get; init; }

    public static readonly MissingEvidence None = new(0, [], 0, 0);

    /// <summary>A missing input that could move the probability by less than this is counted, not named.</summary>
    public const double WorthNaming = 0.005;
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
public sealed record RiskExplanation(RiskDefinition Risk, RiskTier Tier, string Summary, string DetailMarkdown, ScoreResult Basis, ScoreResult? Reference)
{
    /// <summary>What produced the risk, as the card's source names it (a published score, or a model and its version).</summary>
    public string SourceLabel { get; init; } = Basis.Name;

    /// <summary>Null for a published score (the card links its paper); the model's probability otherwise.</summary>
    public double? Probability { get; init; }

    /// <summary>The facts that drove the risk, most influential first, each in words with the patient's value.</summary>
    public IReadOnlyList<string> TopFactors { get; init; } = [];

    /// <summary>
    /// True when what was not recorded leaves too little to estimate from: the plausible range reaches from the low tier
    /// into the high tier. Such a risk has no tier to show; its card is an "insufficient data" info card.
    /// </summary>
    public bool InsufficientData { get; init; }

    /// <summary>What the model did not know (none for a published score, whose missing parts are in <see cref="ScoreResult.Missing"/>).</summary>
    public MissingEvidence Missing { get; init; } = MissingEvidence.None;

    /// <summary>What was not recorded, in one sentence for a clinician; null when nothing was missing.</summary>
    public string? NotRecorded { get; init; }

    /// <summary>The missing inputs that matter most, each with the range of risk it alone could give ("Hemoglobin: 12% to 25%").</summary>
    public IReadOnlyList<string> NotRecordedInputs { get; init; } = [];

    /// <summary>The published score in one line, "HOSPITAL 5 (intermediate)": the basis itself, or the model's reference.</summary>
    public string PublishedScore => Basis.Display;

    /// <summary>The published score's alarm that set a floor under the tier (<see cref="RiskDefinition.Guardrail"/>), when raised.</summary>
    public Guardrail? Guardrail { get; init; }
}

/// <summary>
/// Words a risk: from its published score until a trained model takes over (<see cref="FromPublished"/>, the tier as the
/// risk's definition reads the score), or from a model's probability with the definition's reference score beside it.
/// </summary>
public static class ScoreExplanations
{
    /// <summary>
    /// A risk explained by its published score <paramref name="basis"/> in <paramref name="tier"/> (the risk's reading of
    /// the score), with <paramref name="second"/> beside it when the risk has one; <paramref name="what"/> follows the tier
    /// in the summary ("30-day readmission risk: HOSPITAL score 5 (intermediate), LACE 9"). The definition's rules apply
    /// as to a model: insufficient data when what the risk rests on was not recorded, and its alarm floors the tier.
    /// </summary>
    public static RiskExplanation FromPublished(RiskDefinition risk, ClinicalFeatures features, ScoreResult basis, RiskTier tier, string what, ScoreResult? second = null)
    {
        if (risk.CannotEstimate(features) is { } why)
        {
            return CannotEstimate(risk, basis.Name, why, basis, null);
        }

        var guard = risk.Guardrail(features);
        tier = guard?.Floor(tier) ?? tier;
        var detail = guard is null ? Detail(basis, second, features) : $"**{guard.Reason}.**\n\n{Detail(basis, second, features)}";
        return new RiskExplanation(risk, tier, $"{TierWord(tier)} {what}", detail, basis, second) { TopFactors = Drivers(basis), Guardrail = guard };
    }

    /// <summary>
    /// No estimate: what the risk rests on was not recorded (<see cref="RiskDefinition.CannotEstimate"/>). An
    /// "insufficient data" risk with no tier and no probability, saying why and what to record.
    /// </summary>
    private static RiskExplanation CannotEstimate(RiskDefinition risk, string source, string why, ScoreResult basis, double? probability)
    {
        var summary = $"Insufficient data to estimate the {risk.Phrase}";
        var detail = $"**Insufficient data to estimate the {risk.Phrase}** ({source}). {why}.";
        return new RiskExplanation(risk, RiskTier.Low, summary, detail, basis, null)
        {
            SourceLabel = source,
            Probability = probability,
            InsufficientData = true,
            NotRecorded = why + ".",
            TopFactors = [why],
        };
    }

    /// <summary>
    /// A model's calibrated probability with its tier from the model card's thresholds, the factors that drove it (exact
    /// TreeSHAP contributions, in words with the patient's values) and the published score as the checkable reference.
    /// </summary>
    public static RiskExplanation FromModel(
        RiskDefinition risk, string model, double probability, double moderateFrom, double highFrom, IReadOnlyList<Factor> factors, ClinicalFeatures features,
        MissingEvidence missing, string? evidence = null)
    {
        RiskTier TierOf(double p) => p >= highFrom ? RiskTier.High : p >= moderateFrom ? RiskTier.Moderate : RiskTier.Low;
        var reference = risk.Reference(features);
        if (risk.CannotEstimate(features) is { } why)
        {
            return CannotEstimate(risk, model, why, reference, probability);
        }

        // The published score's alarm is a floor under the model's tier (RiskDefinition.Guardrail); with it raised the
        // risk is never "insufficient data" either: what was recorded is already an alarm.
        var guard = risk.Guardrail(features);
        var modelTier = TierOf(probability);
        var tier = guard?.Floor(modelTier) ?? modelTier;
        var raisedByGuard = tier != modelTier;
        var what = risk.Phrase;
        // One line per measurement: a vital sign's two derangement inputs are missing together and named once.
        var named = missing.Inputs.Where(i => i.Spread >= MissingEvidence.WorthNaming).DistinctBy(i => FactorWording.LabelOf(i.Feature, risk.Inputs)).Take(6).ToList();
        // Insufficient data (issue 31 item 3): the plausible range reaches into another tier — the data cannot tell which
        // tier the patient is in — or the inputs the model leans on most were none of them recorded.
        var insufficient = guard is null && missing.Inputs.Count > 0
            && (TierOf(missing.PlausibleLow) != TierOf(missing.PlausibleHigh) || missing.MainInputsMissing.Count > 0);
        var text = new StringBuilder();
        if (guard is not null)
        {
            text.Append(CultureInfo.InvariantCulture, $"**{guard.Reason}.** ");
            text.Append(raisedByGuard
                ? $"Shown in the {TierWord(tier).ToLowerInvariant()} tier whatever the model estimates: the published score's alarm is never silenced by the model.\n\n"
                : "The model's estimate agrees.\n\n");
        }

        if (insufficient)
        {
            text.Append(CultureInfo.InvariantCulture, $"**Insufficient data to estimate the {what}** ({model}), as of {features.AsOf:yyyy-MM-dd HH:mm} UTC: ");
            text.Append(missing.MainInputsMissing.Count > 0 && TierOf(missing.PlausibleLow) == TierOf(missing.PlausibleHigh)
                ? $"the inputs it leans on most ({string.Join(", ", missing.MainInputsMissing.Select(n => FactorWording.LabelOf(n, risk.Inputs)).Distinct())}) were none of them recorded, so no estimate or tier is given.\n\n"
                : $"depending on what was not recorded it could be anywhere from {Percent(missing.PlausibleLow)} ({TierWord(TierOf(missing.PlausibleLow)).ToLowerInvariant()}) to {Percent(missing.PlausibleHigh)} ({TierWord(TierOf(missing.PlausibleHigh)).ToLowerInvariant()}), so no tier is given.\n\n");
        }
        else
        {
            text.Append(CultureInfo.InvariantCulture, $"**Estimated {what}: {Percent(probability)}** ({model}; {TierRange(modelTier, moderateFrom, highFrom)}), ");
            text.Append(CultureInfo.InvariantCulture, $"as of {features.AsOf:yyyy-MM-dd HH:mm} UTC.\n\n");
            text.Append("What drove it:\n\n");
            foreach (var factor in factors)
            {
                text.Append(CultureInfo.InvariantCulture, $"- {factor.Text}\n");
            }

            text.Append('\n');
        }

        var notRecordedInputs = named.Select(i => $"{FactorWording.Capitalized(FactorWording.LabelOf(i.Feature, risk.Inputs))}: {FromTo(i.LowestProbability, i.HighestProbability)}").ToList();
        string? notRecorded = null;
        if (missing.Inputs.Count > 0)
        {
            notRecorded = $"Not recorded: {missing.Inputs.Count} of the model's {missing.InputCount} inputs"
                + (named.Count == 0 ? ", none of which could move the estimate by half a point."
                    : insufficient ? ". Recording these and asking again gives an estimate."
                    : Plausible(missing) + IfNormal(missing, TierOf(missing.PlausibleLow), TierOf));
            text.Append(notRecorded);
            if (named.Count > 0)
            {
                text.Append(" Those that matter most, with the whole range each alone could give (rare values included):\n\n");
                foreach (var line in notRecordedInputs)
                {
                    text.Append(CultureInfo.InvariantCulture, $"- {line}\n");
                }
            }

            text.Append("\n\n");
        }

        text.Append(CultureInfo.InvariantCulture, $"For reference, {reference.Display}");
        if (!reference.NothingRecorded)
        {
            text.Append(CultureInfo.InvariantCulture, $": {string.Join("; ", reference.Components.Where(c => c.Points > 0).Select(Component))}.");
        }
        else
        {
            text.Append('.');
        }

        if (reference.Missing.Count > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $" Not recorded: {string.Join(", ", reference.Missing)}.");
        }

        if (evidence is not null)
        {
            text.Append(CultureInfo.InvariantCulture, $"\n\n_{evidence}_");
        }

        var summary = insufficient
            ? $"Insufficient data to estimate {what}: {string.Join(", ", (named.Count > 0 ? named : missing.Inputs).Take(3).Select(i => FactorWording.LabelOf(i.Feature, risk.Inputs)))} not recorded"
            : guard is not null ? $"{TierWord(tier)} {what}: {guard.Reason}; model {Percent(probability)}"
            : $"{TierWord(tier)} {what}: {Percent(probability)}";
        return new RiskExplanation(risk, tier, summary.Length > 140 ? summary[..137] + "..." : summary, text.ToString(), reference, null)
        {
            SourceLabel = model,
            Probability = probability,
            TopFactors = insufficient ? [.. named.Select(i => $"{FactorWording.Capitalized(FactorWording.LabelOf(i.Feature, risk.Inputs))} not recorded")]
                : guard is not null ? [guard.Reason, .. factors.Select(f => f.Text)] : [.. factors.Select(f => f.Text)],
            InsufficientData = insufficient,
            Guardrail = guard,
            Missing = missing,
            NotRecorded = notRecorded,
            NotRecordedInputs = notRecordedInputs,
        };
    }

    private static string Percent(double p) => p.ToString("0%", CultureInfo.InvariantCulture);

    /// <summary>
    /// The range the estimate would take were what is missing known, 8 times in 10 — the narrowest holding 8 in 10 of the
    /// estimates over the missing inputs' plausible values, moved by the hospital's margins where it has fitted them (ADR
    /// 0015) — said as what it is and is not.
    /// </summary>
    private static string Plausible(MissingEvidence missing) =>
        $". For 8 in 10 patients like this one, what is missing would put the estimate {Between(missing.PlausibleLow, missing.PlausibleHigh)} "
        + "(judged on what was recorded: how much the missing data could change the estimate, not the model's own error).";

    /// <summary>
    /// How low the estimate could be were the missing labs and vital signs normal, when that is below the plausible range
    /// (issue 31 item 4: a well patient whose labs were not taken is not told a range that excludes them), with its tier
    /// when that is another one.
    /// </summary>
    private static string IfNormal(MissingEvidence missing, RiskTier rangeTier, Func<double, RiskTier> tierOf)
    {
        if (missing.IfNormalLow is not { } normal || normal >= missing.PlausibleLow)
        {
            return string.Empty;
        }

        var said = Percent(normal) != Percent(missing.PlausibleLow) ? Percent(normal) : Tenths(normal) != Tenths(missing.PlausibleLow) ? Tenths(normal) : null;
        var tier = tierOf(normal) != rangeTier ? $" ({TierWord(tierOf(normal)).ToLowerInvariant()} tier)" : string.Empty;
        return said is null ? string.Empty : $" Were the missing labs and vital signs all normal, it could be as low as {said}{tier}.";
    }

    /// <summary>
    /// A range of probabilities that never reads as "31% to 31%": to a tenth of a point when whole points meet, "at about
    /// 31%" when even those do.
    /// </summary>
    public static string Between(double low, double high) =>
        Percent(low) != Percent(high) ? $"between {Percent(low)} and {Percent(high)}"
        : Tenths(low) != Tenths(high) ? $"between {Tenths(low)} and {Tenths(high)}"
        : $"at about {Percent(low)}";

    /// <summary>"12% to 25%" for one missing input's range, by the same rule as <see cref="Between"/>.</summary>
    public static string FromTo(double low, double high) =>
        Percent(low) != Percent(high) ? $"{Percent(low)} to {Percent(high)}"
        : Tenths(low) != Tenths(high) ? $"{Tenths(low)} to {Tenths(high)}"
        : $"about {Percent(low)} whatever its value";

    private static string Tenths(double p) => p.ToString("0.0%", CultureInfo.InvariantCulture);

    /// <summary>The raised components of a score, highest first: "Sodium at discharge: 133 mmol/L (+1)".</summary>
    private static IReadOnlyList<string> Drivers(ScoreResult score) =>
        [.. score.Components.Where(c => c.Points > 0).OrderByDescending(c => c.Points).Select(Component)];

    /// <summary>One component with the patient's value after a colon, so that a value never runs into its name ("Air or oxygen: oxygen (+2)").</summary>
    private static string Component(ScoreComponent c) => $"{c.Name}: {c.PatientValue} (+{c.Points})";

    /// <summary>The tier with the range of estimates it covers: "high tier: 45% and above", "moderate tier: 20% to under 45%", "low tier: under 20%".</summary>
    public static string TierRange(RiskTier tier, double moderateFrom, double highFrom) => tier switch
    {
        RiskTier.High => $"high tier: {Percent(highFrom)} and above",
        RiskTier.Moderate => $"moderate tier: {Percent(moderateFrom)} to under {Percent(highFrom)}",
        _ => $"low tier: under {Percent(moderateFrom)}",
    };

    private static string TierWord(RiskTier tier) => tier switch
    {
        RiskTier.High => "High",
        RiskTier.Moderate => "Moderate",
        _ => "Low",
    };

    private static string Detail(ScoreResult basis, ScoreResult? reference, ClinicalFeatures features)
    {
        var text = new StringBuilder();
        var drivers = Drivers(basis);
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
                text.Append(CultureInfo.InvariantCulture, $"- {driver}\n");
            }
        }

        if (basis.Missing.Count > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"\nNot recorded (counted as normal): {string.Join(", ", basis.Missing)}.\n");
        }

        if (reference is not null)
        {
            text.Append(CultureInfo.InvariantCulture, $"\nFor reference, {reference.Display}");
            text.Append(CultureInfo.InvariantCulture, $": {string.Join("; ", reference.Components.Select(Component))}.\n");
        }

        text.Append(CultureInfo.InvariantCulture, $"\nSource: {basis.Source}.");
        return text.ToString();
    }
}
