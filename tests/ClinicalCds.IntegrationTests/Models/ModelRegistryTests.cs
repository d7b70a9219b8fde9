using ClinicalCds.Domain.Models;
using ClinicalCds.Domain.Risks;
using System.Text.Json;
using ClinicalCds.Application.Models;
using ClinicalCds.Application.Scoring;
using ClinicalCds.Infrastructure.Models;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClinicalCds.IntegrationTests.Models;

/// <summary>The model registry on a copy of the shipped models/ folder, changed under it as an operator would.</summary>
public sealed class ModelRegistryTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"clinicalcds-models-{Guid.NewGuid():N}");

    public ModelRegistryTests()
    {
        foreach (var file in Directory.GetFiles(Path.Combine(Repository.Root, "models"), "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(_root, Path.GetRelativePath(Path.Combine(Repository.Root, "models"), file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static void WaitFor(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting for: {what}");
            Thread.Sleep(50);
        }
    }

    [Fact]
    public void Every_shipped_model_loads_and_none_is_refused()
    {
        using var registry = new OnnxModelRegistry(_root, NullLogger<OnnxModelRegistry>.Instance);
        Assert.Empty(registry.Refused);
        Assert.All(RiskCatalog.Default.Names, name => Assert.Equal(name, registry.Find(name)?.Card.Name));
    }

    [Fact]
    public void A_model_folder_replaced_by_a_broken_one_leaves_the_old_model_serving_and_reports_the_error()
    {
        using var registry = new OnnxModelRegistry(_root, NullLogger<OnnxModelRegistry>.Instance);
        var served = registry.Find(RiskCatalog.Readmission.Name)!;
        var vector = new Domain.Features.FeatureVector(Domain.Features.FeatureCatalog.Version, new double?[served.Card.Features.Count]);
        var before = served.Predict([vector])[0];

        // The upgrade goes wrong: the folder now holds a truncated model.onnx.
        var onnx = Path.Combine(Folder(RiskCatalog.Readmission.Name), ModelPackage.OnnxFile);
        var good = File.ReadAllBytes(onnx);
        File.WriteAllBytes(onnx, good[..(good.Length / 2)]);
        WaitFor(() => registry.Refused.Count == 1, "the broken folder to be refused");

        Assert.Contains("sha256", registry.Refused[0], StringComparison.Ordinal);
        var still = registry.Find(RiskCatalog.Readmission.Name);
        Assert.Same(served, still);
        Assert.Equal(before, still!.Predict([vector])[0]);
        Assert.NotNull(registry.Find(RiskCatalog.Complication.Name));

        // Fixed: the folder loads again and nothing is refused.
        File.WriteAllBytes(onnx, good);
        WaitFor(() => registry.Refused.Count == 0, "the repaired folder to load");
        Assert.Equal(served.Card.Version, registry.Find(RiskCatalog.Readmission.Name)!.Card.Version);
    }

    /// <summary>
    /// Drops a copy of the model's served version as <paramref name="version"/>, sealed as training writes a package (its
    /// manifest names the new version), the card last as a copy tool would.
    /// </summary>
    private string DropVersion(string model, string version, Func<ModelCard, ModelCard>? change = null)
    {
        var old = Folder(model);
        var card = ModelPackage.Read(old).Package!.Card;
        var next = Path.Combine(_root, model, version);
        Directory.CreateDirectory(next);
        foreach (var file in Directory.GetFiles(old).Where(f => Path.GetFileName(f) != ModelPackage.CardFile))
        {
            File.Copy(file, Path.Combine(next, Path.GetFileName(file)));
        }

        // The card last: until then the folder is no package.
        var changed = (change ?? (c => c))(card with { Version = version });
        var dependence = Path.Combine(next, ModelPackage.DependenceFile);
        var sealedCard = changed with
        {
            Manifest = ModelPackage.ManifestOf(changed, File.ReadAllBytes(Path.Combine(next, ModelPackage.TreesFile)), File.Exists(dependence) ? File.ReadAllBytes(dependence) : null),
        };
        File.WriteAllText(Path.Combine(next, ModelPackage.CardFile), JsonSerializer.Serialize(sealedCard, ModelCard.Json));
        return next;
    }

    private string Folder(string model) => Path.Combine(_root, model, Repository.ShippedVersion(model));

    [Fact]
    public void A_new_version_dropped_beside_the_active_one_is_the_candidate_and_is_not_served_until_promoted()
    {
        using var registry = new OnnxModelRegistry(_root, NullLogger<OnnxModelRegistry>.Instance);
        var name = RiskCatalog.Complication.Name;
        DropVersion(name, "9.0.0");
        WaitFor(() => registry.Candidate(name)?.Card.Version == "9.0.0", "version 9.0.0 to load as the candidate");

        var shipped = Repository.ShippedVersion(name);
        Assert.Equal(shipped, registry.Find(name)!.Card.Version);
        Assert.Empty(registry.Refused);
        Assert.Equal([shipped, "9.0.0"], registry.Versions(name).Available);

        // Promoted (what `models promote` and the admin page do): active at once, and written for every other process.
        registry.Change(name, registry.Versions(name).State.Promote("9.0.0"));
        Assert.Equal("9.0.0", registry.Find(name)!.Card.Version);
        Assert.Null(registry.Candidate(name));
        using (var other = new OnnxModelRegistry(_root, NullLogger<OnnxModelRegistry>.Instance))
        {
            Assert.Equal("9.0.0", other.Find(name)!.Card.Version);
        }

        // Rolled back: the version before answers again, and the one left is retired, not the candidate again.
        registry.Change(name, registry.Versions(name).State.Rollback()!);
        Assert.Equal(shipped, registry.Find(name)!.Card.Version);
        Assert.Null(registry.Candidate(name));
        Assert.Equal(["9.0.0"], registry.Versions(name).State.Retired);
    }

    [Fact]
    public void Without_a_serving_file_the_newest_valid_version_is_served()
    {
        File.Delete(Path.Combine(_root, RiskCatalog.Complication.Name, ServingState.File));
        using var registry = new OnnxModelRegistry(_root, NullLogger<OnnxModelRegistry>.Instance);
        DropVersion(RiskCatalog.Complication.Name, "9.0.0");

        WaitFor(() => registry.Find(RiskCatalog.Complication.Name)?.Card.Version == "9.0.0", "version 9.0.0 to be served");
        Assert.Null(registry.Candidate(RiskCatalog.Complication.Name));
    }

    [Fact]
    public void A_serving_file_that_names_a_version_not_there_serves_no_model_and_says_why_and_an_unreadable_one_changes_nothing()
    {
        var serving = Path.Combine(_root, RiskCatalog.Readmission.Name, ServingState.File);
        using var registry = new OnnxModelRegistry(_root, NullLogger<OnnxModelRegistry>.Instance);
        DropVersion(RiskCatalog.Readmission.Name, "9.0.0");
        WaitFor(() => registry.Candidate(RiskCatalog.Readmission.Name) is not null, "the candidate to load");

        // A half-edited file never promotes the newest version: what was served stays, and the error is listed.
        File.WriteAllText(serving, "{ \"active\": ");
        WaitFor(() => registry.Refused.Count == 1, "the unreadable serving.json to be reported");
        Assert.Contains(ServingState.File, registry.Refused[0], StringComparison.Ordinal);
        Assert.Equal(Repository.ShippedVersion(RiskCatalog.Readmission.Name), registry.Find(RiskCatalog.Readmission.Name)!.Card.Version);

        // A version that is not there: no model rather than another one (the published score answers; /health/ready says so).
        File.WriteAllText(serving, """{ "active": "0.0.9" }""");
        WaitFor(() => registry.Find(RiskCatalog.Readmission.Name) is null, "the model to stop being served");
        Assert.Contains(registry.Refused, r => r.Contains("0.0.9", StringComparison.Ordinal));
        Assert.NotNull(registry.Find(RiskCatalog.Complication.Name));
    }

    /// <summary>
    /// Issue 32 item 2: a package edited by hand after it was written is refused with the part named — the edit the review
    /// made (the Platt intercept shifted in model-card.json, the label kept) first — while recording an evaluation, which
    /// changes no answer, keeps it valid.
    /// </summary>
    [Theory]
    [InlineData("calibration intercept", "calibration or tiers were edited")]
    [InlineData("tier threshold", "calibration or tiers were edited")]
    [InlineData("reference value", "reference values, calibration or tiers were edited")]
    [InlineData("version label", "name, version, features")]
    [InlineData("trees.json", "trees.json has sha256")]
    [InlineData("dependence.json edited", "dependence.json has sha256")]
    [InlineData("dependence.json removed", "dependence.json is missing")]
    [InlineData("manifest removed", "has no manifest")]
    public void A_package_edited_by_hand_is_refused_with_the_part_named(string edit, string reason)
    {
        var folder = Path.Combine(_root, RiskCatalog.Readmission.Name, Repository.ShippedVersion(RiskCatalog.Readmission.Name));
        var (before, error) = OnnxModelRegistry.Load(folder);
        Assert.True(before is not null, error);
        before.Dispose();

        var cardPath = Path.Combine(folder, ModelPackage.CardFile);
        var card = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(cardPath))!;
        switch (edit)
        {
            case "calibration intercept":
                card["calibration"]!["intercept"] = card["calibration"]!["intercept"]!.GetValue<double>() + 0.5;
                break;
            case "tier threshold":
                card["tiers"]!["high"] = card["tiers"]!["high"]!.GetValue<double>() * 0.9;
                break;
            case "reference value":
                card["features"]![0]!["reference"]![0] = card["features"]![0]!["reference"]![0]!.GetValue<double>() + 1;
                break;
            case "version label":
                card["version"] = "0.4.0";
                break;
            case "manifest removed":
                card.AsObject().Remove("manifest");
                break;
            case "trees.json":
                var trees = File.ReadAllText(Path.Combine(folder, ModelPackage.TreesFile));
                var at = trees.IndexOf("\"leafValue\": [", StringComparison.Ordinal) + "\"leafValue\": [".Length;
                File.WriteAllText(Path.Combine(folder, ModelPackage.TreesFile), trees[..at] + "0.5, " + trees[at..]);
                break;
            case "dependence.json edited":
                File.AppendAllText(Path.Combine(folder, ModelPackage.DependenceFile), " ");
                break;
            case "dependence.json removed":
                File.Delete(Path.Combine(folder, ModelPackage.DependenceFile));
                break;
        }

        File.WriteAllText(cardPath, card.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        var (after, refusal) = OnnxModelRegistry.Load(folder);
        after?.Dispose();
        Assert.Null(after);
        Assert.Contains(reason, refusal, StringComparison.Ordinal);
    }

    /// <summary>
    /// Issue 31 item 2 (ADR 0015): the range's margins travel sealed in dependence.json and load as written; margins that
    /// name an input the card lacks, or move a range further than any probability needs, refuse the package.
    /// </summary>
    [Theory]
    [InlineData(null, null)]
    [InlineData("input", "does not describe the card's")]
    [InlineData("log-odds", "does not describe the card's")]
    [InlineData("combination twice", "does not describe the card's")]
    public async Task Range_margins_load_as_written_and_refuse_a_package_when_they_do_not_fit_its_card(string? fault, string? reason)
    {
        var shipped = ModelPackage.Read(Path.Combine(_root, RiskCatalog.Readmission.Name, Repository.ShippedVersion(RiskCatalog.Readmission.Name))).Package!;
        var width = shipped.Card.Features.Count;
        var blood = shipped.Card.Features.Select((f, j) => (f, j)).Where(p => p.f.Name is "HemoglobinGdl" or "WhiteBloodCellsPerNl").Select(p => p.j).ToArray();
        RangeMarginPanel[] panels = [new("blood count", fault == "input" ? [.. blood, width] : blood)];
        RangeMargin[] margins = fault switch
        {
            "log-odds" => [new([0], RangeMargins.MaxMargin + 1, 30, 12, 0)],
            "combination twice" => [new([0], 0.4, 30, 12, 0), new([0], 0.2, 30, 12, 0)],
            _ => [new([0], 0.4, 30, 12, 0)],
        };
        var folder = Path.Combine(_root, RiskCatalog.Readmission.Name, "9.3.0");
        await (shipped with { Dependence = shipped.Dependence! with { Margins = new RangeMargins(panels, margins) } }).WriteAsync(folder, new Dictionary<string, string>());

        var (model, refusal) = OnnxModelRegistry.Load(folder);
        using (model)
        {
            if (reason is null)
            {
                Assert.True(model is not null, refusal);
                var loaded = model.Dependence!.Margins!;
                Assert.Equal(blood, loaded.Panels.Single().Inputs);
                Assert.Equal(0.4, loaded.Margins.Single().LogOdds);
            }
            else
            {
                Assert.Null(model);
                Assert.Contains(reason, refusal, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task Recording_an_evaluation_in_the_card_keeps_the_package_valid()
    {
        var folder = Path.Combine(_root, RiskCatalog.Readmission.Name, Repository.ShippedVersion(RiskCatalog.Readmission.Name));
        var package = ModelPackage.Read(folder).Package!;
        var evaluation = package.Card.ExternalEvaluations![0] with { Data = "another hospital", EvaluatedAt = DateTimeOffset.UnixEpoch };
        await ModelPackage.ReplaceCardAsync(folder, package.Card with { ExternalEvaluations = [.. package.Card.ExternalEvaluations, evaluation] });

        var (model, error) = OnnxModelRegistry.Load(folder);
        Assert.True(model is not null, error);
        using (model)
        {
            Assert.Contains(model.Card.ExternalEvaluations!, e => e.Data == "another hospital");
        }
    }
}
