using ClinicalCds.Domain.Models;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ClinicalCds.Application.Models;
using ClinicalCds.Domain.Explanations;
using ClinicalCds.Domain.Features;
using ClinicalCds.Domain.Risks;

namespace ClinicalCds.Infrastructure.Models;

/// <summary>
/// The model package format — one folder, <c>models/&lt;name&gt;/&lt;version&gt;/</c> — and its one reader and writer
/// (training writes it, the registry reads it):
/// <list type="bullet">
/// <item><c>model.onnx</c>: the graph ONNX Runtime runs;</item>
/// <item><c>model-card.json</c>: <see cref="ModelCard"/> — purpose, features in ONNX input order with their reference
/// values, training, evaluation, calibration, tiers, and the sha256 of model.onnx;</item>
/// <item><c>trees.json</c>: <see cref="TreeEnsemble"/> with covers — averages missing inputs and explains every answer
/// (exact TreeSHAP);</item>
/// <item><c>dependence.json</c>: <see cref="InputDependence"/> — how the inputs vary together in training (each input's
/// quantiles, the correlation of their normal scores), to complete missing inputs given the recorded ones (ADR 0009);
/// a package from before it averages missing inputs as independent (ADR 0004);</item>
/// <item>documents for people, written beside them: evaluation.md, roc.svg, calibration.svg.</item>
/// </list>
/// Writing seals the package (<see cref="CardManifest"/>): the hashes of trees.json, dependence.json and the card's
/// answer-changing parts go into the card. Reading checks what the package promises: model.onnx's hash and the
/// manifest (a file or a calibration, tier or reference value edited by hand after writing is refused, with the part
/// named), the card's features equal to its risk's inputs (<see cref="RiskDefinition.Inputs"/>) with reference values for each, trees over those
/// features; whether ONNX Runtime can run the graph with the card's input and output is the registry's check.
/// </summary>
public sealed record ModelPackage(ModelCard Card, byte[] Onnx, TreeEnsemble Trees, InputDependence? Dependence = null)
{
    public const string OnnxFile = "model.onnx";
    public const string CardFile = "model-card.json";
    public const string TreesFile = "trees.json";
    public const string DependenceFile = "dependence.json";

    private static readonly UTF8Encoding Utf8 = new(false);

    /// <summary>A folder holds a package when it holds a card (a half-copied folder is then refused, not skipped).</summary>
    public static bool IsPackage(string folder) => File.Exists(Path.Combine(folder, CardFile));

    /// <summary>
    /// Reads and checks the package in <paramref name="folder"/>; its card's features must be its risk's inputs in
    /// <paramref name="risks"/> (the shipped catalog when not given; a model of a risk the catalog does not know is
    /// checked against the standard inputs).
    /// </summary>
    public static (ModelPackage? Package, string? Error) Read(string folder, RiskCatalog? risks = null)
    {
        ModelCard card;
        byte[] onnx;
        try
        {
            card = JsonSerializer.Deserialize<ModelCard>(File.ReadAllText(Path.Combine(folder, CardFile)), ModelCard.Json)
                ?? throw new JsonException("empty card");
            onnx = File.ReadAllBytes(Path.Combine(folder, OnnxFile));
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            return (null, $"cannot read the model: {e.Message}");
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(onnx));
        if (!string.Equals(hash, card.Sha256, StringComparison.OrdinalIgnoreCase))
        {
            return (null, $"{OnnxFile} has sha256 {hash}, the card says {card.Sha256}");
        }

        if (Unsealed(folder, card) is { } edited)
        {
            return (null, edited);
        }

        // Each risk owns its inputs: a card is checked against its own risk's list only, so a new input for one risk
        // refuses no other risk's model.
        var inputs = (risks ?? RiskCatalog.Default).Find(card.Name)?.Inputs ?? FeatureCatalog.Standard;
        if (card.FeatureCatalogVersion != inputs.Version || !card.Features.Select(f => f.Name).SequenceEqual(inputs.Names))
        {
            return (null, $"the card's features ({card.FeatureCatalogVersion}, {card.Features.Count}) are not this server's inputs of {card.Name} (feature catalog {inputs.Version}, {inputs.Count})");
        }

        if (card.Features.FirstOrDefault(f => f.Reference is null || (f.MissingShare < 1 && f.Reference.Count == 0)) is { } unreferenced)
        {
            return (null, $"the card gives no reference values for feature {unreferenced.Name}, so a missing input could not be averaged over them");
        }

        // The trees are required: they average a missing input over its reference values and explain every answer.
        TreeEnsemble? trees;
        try
        {
            trees = JsonSerializer.Deserialize<TreeEnsemble>(File.ReadAllText(Path.Combine(folder, TreesFile)), ModelCard.Json);
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            return (null, $"{TreesFile} cannot be read (it averages missing inputs and explains answers): {e.Message}");
        }

        if (trees is null || trees.Trees.Any(t => t.Feature.Any(f => f < 0 || f >= card.Features.Count)))
        {
            return (null, $"{TreesFile} does not describe trees over the card's features");
        }

        InputDependence? dependence = null;
        if (File.Exists(Path.Combine(folder, DependenceFile)))
        {
            try
            {
                dependence = JsonSerializer.Deserialize<InputDependence>(File.ReadAllText(Path.Combine(folder, DependenceFile)), ModelCard.Json);
            }
            catch (Exception e) when (e is IOException or JsonException or NotSupportedException or UnauthorizedAccessException)
            {
                return (null, $"{DependenceFile} cannot be read (it completes missing inputs given the recorded ones): {e.Message}");
            }

            var width = card.Features.Count;
            if (dependence is null || dependence.Quantiles.Count != width || dependence.Correlation.Length != width || dependence.Correlation.Any(r => r.Length != width)
                || Enumerable.Range(0, width).Any(j => (dependence.Quantiles[j].Length == 0) != (card.Features[j].Reference!.Count == 0))
                || (dependence.NotConditionedOn ?? []).Any(j => j < 0 || j >= width)
                || (dependence.Margins is { } margins && !Describes(margins, width)))
            {
                return (null, $"{DependenceFile} does not describe the card's {width} inputs");
            }
        }

        return (new ModelPackage(card, onnx, trees, dependence), null);
    }

    /// <summary>Whether the range's margins name inputs of the card, panels of their own list (each combination once) and finite log-odds within bounds.</summary>
    private static bool Describes(RangeMargins margins, int width) =>
        margins.Panels.Count <= 30
        && margins.Panels.All(p => p.Inputs.Length > 0 && p.Inputs.All(j => j >= 0 && j < width))
        && margins.Margins.All(m => m.Panels.Length > 0 && m.Panels.All(p => p >= 0 && p < margins.Panels.Count)
            && double.IsFinite(m.LogOdds) && Math.Abs(m.LogOdds) <= RangeMargins.MaxMargin)
        && margins.Margins.Select(RangeMargins.KeyOf).Distinct().Count() == margins.Margins.Count;

    /// <summary>The seal of a package: the hashes of its trees.json and dependence.json bytes and of the card's answer-changing parts.</summary>
    public static CardManifest ManifestOf(ModelCard card, byte[] trees, byte[]? dependence) =>
        new(Sha256Of(trees), dependence is null ? null : Sha256Of(dependence), AnswerHash(card));

    /// <summary>
    /// The card's parts that change an answer, as one JSON text: who the model is (a relabelled version is another
    /// package), what it reads and runs, its reference values, calibration and tiers.
    /// </summary>
    private static string AnswerHash(ModelCard card) => Sha256Of(JsonSerializer.SerializeToUtf8Bytes(
        new { card.Name, card.Version, card.FeatureCatalogVersion, card.OnnxInput, card.OnnxOutput, card.Sha256, card.Features, card.Calibration, card.Tiers },
        ModelCard.Json));

    private static string Sha256Of(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>Why the package in <paramref name="folder"/> does not match the manifest it was written with; null when it does.</summary>
    private static string? Unsealed(string folder, ModelCard card)
    {
        if (card.Manifest is not { } manifest)
        {
            return $"{CardFile} has no manifest: the package was not written by ClinicalCds (train or recalibrate), so nothing shows its calibration, tiers and files are as evaluated";
        }

        byte[] trees;
        byte[]? dependence;
        try
        {
            trees = File.ReadAllBytes(Path.Combine(folder, TreesFile));
            dependence = File.Exists(Path.Combine(folder, DependenceFile)) ? File.ReadAllBytes(Path.Combine(folder, DependenceFile)) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"{TreesFile} cannot be read (it averages missing inputs and explains answers): {e.Message}";
        }

        var actual = ManifestOf(card, trees, dependence);
        if (actual.Trees != manifest.Trees)
        {
            return $"{TreesFile} has sha256 {actual.Trees}, the manifest says {manifest.Trees}: it was edited after the package was written";
        }

        if (actual.Dependence != manifest.Dependence)
        {
            return manifest.Dependence is null ? $"{DependenceFile} was added after the package was written"
                : actual.Dependence is null ? $"{DependenceFile} is missing: the manifest says it was written with sha256 {manifest.Dependence}"
                : $"{DependenceFile} has sha256 {actual.Dependence}, the manifest says {manifest.Dependence}: it was edited after the package was written";
        }

        return actual.Answer == manifest.Answer ? null
            : $"the card's name, version, features, reference values, calibration or tiers were edited after the package was written (sha256 {actual.Answer}, the manifest says {manifest.Answer}); a new calibration is a new version (clinicalcds recalibrate or train)";
    }

    /// <summary>
    /// Replaces only the card of the package in <paramref name="folder"/> (e.g. to record an evaluation), atomically: a
    /// registry watching the folder sees the old card or the new one, never a half-written file, and model.onnx is not touched.
    /// </summary>
    public static async Task ReplaceCardAsync(string folder, ModelCard card, CancellationToken cancellationToken = default)
    {
        var temporary = Path.Combine(folder, $".{CardFile}.{Guid.NewGuid():N}.tmp");
        await File.WriteAllTextAsync(temporary, JsonSerializer.Serialize(card, ModelCard.Json) + "\n", cancellationToken);
        File.Move(temporary, Path.Combine(folder, CardFile), overwrite: true);
    }

    /// <summary>Writes the package into <paramref name="folder"/> (created), with <paramref name="documents"/> (file name → text) beside it.</summary>
    public async Task WriteAsync(string folder, IReadOnlyDictionary<string, string>? documents = null, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(folder);
        var trees = Utf8.GetBytes(JsonSerializer.Serialize(Trees, ModelCard.Json) + "\n");
        var dependence = Dependence is null ? null : Utf8.GetBytes(JsonSerializer.Serialize(Dependence, ModelCard.Json) + "\n");
        var card = Card with { Manifest = ManifestOf(Card, trees, dependence) };
        await File.WriteAllBytesAsync(Path.Combine(folder, OnnxFile), Onnx, cancellationToken);
        await File.WriteAllBytesAsync(Path.Combine(folder, TreesFile), trees, cancellationToken);
        if (dependence is not null)
        {
            await File.WriteAllBytesAsync(Path.Combine(folder, DependenceFile), dependence, cancellationToken);
        }

        await File.WriteAllTextAsync(Path.Combine(folder, CardFile), JsonSerializer.Serialize(card, ModelCard.Json) + "\n", Utf8, cancellationToken);
        foreach (var (name, text) in documents ?? new Dictionary<string, string>())
        {
            await File.WriteAllTextAsync(Path.Combine(folder, name), text, Utf8, cancellationToken);
        }
    }
}
