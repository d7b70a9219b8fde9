using ClinicalCds.Domain.Clinical;
using ClinicalCds.Fhir.Terminologies;

namespace ClinicalCds.Infrastructure.Fhir;

/// <summary>
/// The hospital's terminology: every FHIR ConceptMap (*.json) in the configured folders (<c>Terminology:Folders</c>),
/// in folder then file-name order. A folder that is not there or a map that cannot be used stops the process at start
/// with the file and the reason: codes silently left unmapped would read as "not recorded".
/// </summary>
public static class TerminologyFolders
{
    public const string Section = "Terminology:Folders";

    public static Terminology Load(IReadOnlyList<string> folders, EncounterRules? encounters = null) => new(LoadGroups(folders), encounters);

    /// <summary>The groups of every map in the folders, in order; any problem stops the process (all of them named).</summary>
    public static IReadOnlyList<ConceptMapGroup> LoadGroups(IReadOnlyList<string> folders)
    {
        var groups = new List<ConceptMapGroup>();
        var errors = new List<string>();
        foreach (var folder in folders)
        {
            if (!Directory.Exists(folder))
            {
                errors.Add($"{Section}: the folder {folder} does not exist.");
                continue;
            }

            foreach (var file in Directory.EnumerateFiles(folder, "*.json").Order(StringComparer.Ordinal))
            {
                groups.AddRange(ConceptMaps.Read(File.ReadAllBytes(file), out var problems));
                errors.AddRange(problems.Select(p => $"{file}: {p}"));
            }
        }

        return errors.Count == 0 ? groups : throw new InvalidOperationException(string.Join(" ", errors));
    }
}
