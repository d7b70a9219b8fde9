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

    private string Folder(string model) => Directory.GetDirectories(Path.Combine(_root, model)).Single();

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

    [Fact]
    public void A_new_version_dropped_beside_the_old_one_is_served_once_it_is_complete()
    {
        using var registry = new OnnxModelRegistry(_root, NullLogger<OnnxModelRegistry>.Instance);
        var old = Folder(RiskCatalog.Complication.Name);
        var card = ModelPackage.Read(old).Package!.Card;
        var next = Path.Combine(_root, RiskCatalog.Complication.Name, "9.0.0");
        Directory.CreateDirectory(next);
        foreach (var file in Directory.GetFiles(old).Where(f => Path.GetFileName(f) != ModelPackage.CardFile))
        {
            File.Copy(file, Path.Combine(next, Path.GetFileName(file)));
        }

        // The card last, as a copy tool that finishes with it would: until then the folder is no package.
        File.WriteAllText(Path.Combine(next, ModelPackage.CardFile), JsonSerializer.Serialize(card with { Version = "9.0.0" }, ModelCard.Json));
        WaitFor(() => registry.Find(RiskCatalog.Complication.Name)?.Card.Version == "9.0.0", "version 9.0.0 to be served");
        Assert.Empty(registry.Refused);
    }
}
