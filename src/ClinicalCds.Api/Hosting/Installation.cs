namespace ClinicalCds.Api.Hosting;

/// <summary>
/// Where an installation's files are, whatever folder a command runs from (docs/operations.md, "Configuration"):
/// <list type="bullet">
/// <item>configuration (<c>appsettings.json</c>, <c>appsettings.{Environment}.json</c>) is read from the executable's own
/// folder, then environment variables, then the command line;</item>
/// <item>relative paths in configuration (<c>Models:Root</c>, a client's <c>JwksFile</c>) resolve against the
/// <b>home folder</b>: <c>Paths:Home</c> when set, else the first folder, from the executable's folder upward, whose
/// <c>models</c> folder holds a model package (<c>models/NAME/VERSION/model-card.json</c>: the repository root in a
/// source checkout, <c>/app</c> in the container) — by what it holds, not by its name alone, so that a folder that only
/// happens to be called <c>models</c> (the <c>bench/models</c> benchmark's code) is never taken for it — else the
/// executable's folder.</item>
/// </list>
/// Paths a user types as command arguments (files to import, output folders) are ordinary CLI paths: relative to the
/// working directory.
/// </summary>
public static class Installation
{
    public const string HomeKey = "Paths:Home";

    /// <summary>The executable's folder: the content root of every host, where its appsettings files are.</summary>
    public static string ConfigurationFolder { get; } = Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory);

    private static readonly string DefaultHome = FindHome(ConfigurationFolder);

    public static string Home(IConfiguration configuration) =>
        configuration[HomeKey] is { Length: > 0 } home ? Path.GetFullPath(home) : DefaultHome;

    /// <summary>An absolute path for a configured <paramref name="path"/> (relative ones against <see cref="Home"/>).</summary>
    public static string Resolve(IConfiguration configuration, string path) => Path.GetFullPath(path, Home(configuration));

    /// <summary>The folder of model packages: <c>Models:Root</c> (default <c>models</c>) resolved against the home folder.</summary>
    public static string ModelsRoot(IConfiguration configuration) => Resolve(configuration, configuration["Models:Root"] is { Length: > 0 } root ? root : "models");

    /// <summary>
    /// The ConceptMap folders of <c>Terminology:Folders</c>; a relative one is found beside the executable (where the
    /// shipped maps, e.g. <c>terminology/mimic-iv-demo</c>, are installed with the settings).
    /// </summary>
    public static IReadOnlyList<string> TerminologyFolders(IConfiguration configuration) =>
        [.. (configuration.GetSection(Infrastructure.Fhir.TerminologyFolders.Section).Get<string[]>() ?? [])
            .Where(f => !string.IsNullOrWhiteSpace(f))
            .Select(f => Path.GetFullPath(f, ConfigurationFolder))];

    /// <summary>Content root for a host: the executable's folder, unless the caller (a test host) already chose one.</summary>
    public static string? ContentRoot(string[] args) =>
        args.Any(a => a.StartsWith("--contentRoot", StringComparison.OrdinalIgnoreCase)) ? null : ConfigurationFolder;

    /// <summary>
    /// One line at start-up naming what is in force: the configuration files read, the home and models folders, and the
    /// minimum log levels (so an operator, and a test, can see that the shipped settings were found).
    /// </summary>
    public static void LogSettings(ILogger logger, IConfiguration configuration)
    {
        var files = configuration is IConfigurationRoot root
            ? root.Providers.OfType<Microsoft.Extensions.Configuration.Json.JsonConfigurationProvider>()
                .Where(p => p.Source.FileProvider?.GetFileInfo(p.Source.Path ?? string.Empty).Exists == true)
                .Select(p => p.Source.FileProvider!.GetFileInfo(p.Source.Path!).PhysicalPath)
            : [];
        var levels = configuration.GetSection("Logging:LogLevel").GetChildren().Select(c => $"{c.Key}={c.Value}");
        logger.LogInformation(
            "Settings in force: configuration files [{Files}]; home {Home}; models {Models}; log levels [{Levels}]",
            string.Join(", ", files), Home(configuration), ModelsRoot(configuration), string.Join(", ", levels));
    }

    private static string FindHome(string start)
    {
        for (var folder = new DirectoryInfo(start); folder is not null; folder = folder.Parent)
        {
            var models = Path.Combine(folder.FullName, "models");
            if (Directory.Exists(models) && Directory.EnumerateDirectories(models).SelectMany(Directory.EnumerateDirectories)
                    .Any(version => File.Exists(Path.Combine(version, "model-card.json"))))
            {
                return folder.FullName;
            }
        }

        return start;
    }
}
