using System.Text.RegularExpressions;

namespace ClinicalCds.Domain.Risks;

/// <summary>
/// The risks this installation knows, by name. <see cref="Default"/> holds the shipped ones; a host may be given more
/// (each a <see cref="RiskDefinition"/>), and every place that takes a model name — cohorts, runs, the worklist, the
/// CLI, FHIR searches — accepts exactly these.
/// </summary>
public sealed partial class RiskCatalog
{
    public static readonly ReadmissionRisk Readmission = new();
    public static readonly ComplicationRisk Complication = new();

    /// <summary>The shipped risks: 30-day readmission and in-hospital complication (deterioration).</summary>
    public static RiskCatalog Default { get; } = new([Readmission, Complication]);

    private readonly Dictionary<string, RiskDefinition> _byName;

    public RiskCatalog(IEnumerable<RiskDefinition> risks)
    {
        All = [.. risks];
        foreach (var risk in All.Where(r => !IsValidName(r.Name)))
        {
            throw new ArgumentException($"'{risk.Name}' is not a valid risk name (lower-case letters and digits, at most 40).", nameof(risks));
        }

        // No factor is ever shown by its code name: a risk's own input must bring its words.
        foreach (var (risk, input) in All.SelectMany(r => r.Inputs.Features.Where(f => !Explanations.FactorWording.HasWording(f)).Select(f => (r, f))))
        {
            throw new ArgumentException($"The input {input.Name} of risk '{risk.Name}' has no words for a card (FeatureDefinition.Words).", nameof(risks));
        }

        _byName = All.ToDictionary(r => r.Name, StringComparer.Ordinal);
    }

    public IReadOnlyList<RiskDefinition> All { get; }

    public IEnumerable<string> Names => All.Select(r => r.Name);

    /// <summary>A catalog with <paramref name="more"/> added after these risks.</summary>
    public RiskCatalog With(params RiskDefinition[] more) => new([.. All, .. more]);

    public RiskDefinition? Find(string? name) => name is not null && _byName.TryGetValue(name, out var risk) ? risk : null;

    public bool Contains(string? name) => Find(name) is not null;

    /// <summary>The risk named; an unknown name is a programming or configuration error (validated before it gets here).</summary>
    public RiskDefinition Get(string name) =>
        Find(name) ?? throw new ArgumentException($"There is no risk model '{name}' (known: {Known}).", nameof(name));

    /// <summary>The known names, for messages: "readmission, complication".</summary>
    public string Known => string.Join(", ", Names);

    public static bool IsValidName(string name) => NamePattern().IsMatch(name);

    [GeneratedRegex("^[a-z][a-z0-9]{0,39}$")]
    private static partial Regex NamePattern();
}
