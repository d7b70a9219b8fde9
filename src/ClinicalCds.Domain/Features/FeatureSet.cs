namespace ClinicalCds.Domain.Features;

/// <summary>
/// A risk's model inputs: a versioned list of feature definitions in model input order (<see
/// Risks.RiskDefinition.Inputs"/>). Changing a definition, the order or the set means a new <see cref="Version"/>:
/// a model records the version and the names it was trained on and is refused by a server whose risk has other inputs
/// — and only that risk's models are, since every risk owns its list.
/// </summary>
public sealed class FeatureSet
{
    private readonly Dictionary<string, int> _index;

    public FeatureSet(string version, IReadOnlyList<FeatureDefinition> features)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(version);
        Version = version;
        Features = features;
        _index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < features.Count; i++)
        {
            if (!_index.TryAdd(features[i].Name, i))
            {
                throw new ArgumentException($"Feature {features[i].Name} is listed twice in {version}.", nameof(features));
            }
        }
    }

    public string Version { get; }

    public IReadOnlyList<FeatureDefinition> Features { get; }

    public int Count => Features.Count;

    /// <summary>Where the input named <paramref name="name"/> sits in the vector; -1 when this set has no such input.</summary>
    public int IndexOf(string name) => _index.GetValueOrDefault(name, -1);

    /// <summary>The input named <paramref name="name"/>, or null when this set has none.</summary>
    public FeatureDefinition? Find(string name) => _index.TryGetValue(name, out var i) ? Features[i] : null;

    /// <summary>The names in input order: what a model card lists.</summary>
    public IEnumerable<string> Names => Features.Select(f => f.Name);

    public FeatureVector Vectorize(ClinicalFeatures features) => new(Version, Features.Select(f => f.Read(features)).ToList());

    /// <summary>These inputs and <paramref name="more"/> after them, as a new version.</summary>
    public FeatureSet With(string version, params FeatureDefinition[] more) => new(version, [.. Features, .. more]);

    /// <summary>The set as the Markdown table of docs/features.md.</summary>
    public string ToMarkdown()
    {
        var text = new System.Text.StringBuilder();
        var culture = System.Globalization.CultureInfo.InvariantCulture;
        text.AppendLine(culture, $"Catalog version `{Version}`, {Count} features in model input order.");
        text.AppendLine();
        text.AppendLine("| # | feature | unit | may be missing | definition | source codes |");
        text.AppendLine("|---|---|---|---|---|---|");
        for (var i = 0; i < Count; i++)
        {
            var f = Features[i];
            text.AppendLine(culture, $"| {i} | `{f.Name}` | {f.Unit} | {(f.CanBeMissing ? "yes" : "no")} | {f.Definition} | {f.SourceCodes} |");
        }

        return text.ToString();
    }

    public override string ToString() => Version;
}
