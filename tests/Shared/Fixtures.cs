namespace ClinicalCds.TestSupport;

/// <summary>The shared, read-only fixtures beside the repository (../shared/fixtures), read in place.</summary>
public static class Fixtures
{
    public static string Root { get; } = Find();

    public static string SyntheaDirectory => Path.Combine(Root, "synthea-r4");

    /// <summary>60 real, de-identified patients of the MIMIC-IV Clinical Database Demo on FHIR (its SOURCES.md).</summary>
    public static string MimicDirectory => Path.Combine(Root, "mimic-iv-demo");

    public static IReadOnlyList<string> SyntheaBundles => Directory.GetFiles(SyntheaDirectory, "*.json").Order(StringComparer.Ordinal).ToList();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "fixtures");
            if (Directory.Exists(Path.Combine(candidate, "synthea-r4")))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("../shared/fixtures was not found above the test binaries.");
    }
}

/// <summary>The repository checkout the tests run from.</summary>
public static class Repository
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ClinicalCds.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("ClinicalCds.sln was not found above the test binaries.");
    }

    /// <summary>How cards and scores name the shipped model (models/&lt;name&gt;/&lt;version&gt;/): "readmission model 0.4.0".</summary>
    public static string ShippedModel(string name) => $"{name} model {ShippedVersion(name)}";

    /// <summary>The version models/&lt;name&gt;/serving.json makes active: the one the server serves.</summary>
    public static string ShippedVersion(string name)
    {
        using var serving = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, "models", name, "serving.json")));
        return serving.RootElement.GetProperty("active").GetString()!;
    }
}
