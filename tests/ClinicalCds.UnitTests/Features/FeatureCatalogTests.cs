using ClinicalCds.Domain.Features;

namespace ClinicalCds.UnitTests.Features;

public sealed class FeatureCatalogTests
{
    [Fact]
    public void Feature_names_are_unique_and_docs_features_md_holds_the_current_catalog()
    {
        var names = FeatureCatalog.Features.Select(f => f.Name).ToList();
        Assert.Equal(names.Count, names.Distinct(StringComparer.Ordinal).Count());

        var doc = File.ReadAllText(Path.Combine(Repository.Root, "docs", "features.md")).ReplaceLineEndings("\n");
        Assert.True(doc.Contains(FeatureCatalog.ToMarkdown().ReplaceLineEndings("\n"), StringComparison.Ordinal),
            "docs/features.md does not hold the current catalog; regenerate it with: clinicalcds features --catalog");
    }

    [Fact]
    public void Every_feature_states_unit_definition_and_source_codes()
    {
        Assert.All(FeatureCatalog.Features, f =>
        {
            Assert.False(string.IsNullOrWhiteSpace(f.Unit), f.Name);
            Assert.False(string.IsNullOrWhiteSpace(f.Definition), f.Name);
            Assert.False(string.IsNullOrWhiteSpace(f.SourceCodes), f.Name);
        });
    }
}
