using System.Reflection;
using ClinicalCds.Domain.Clinical;

namespace ClinicalCds.Domain.Comorbidity;

/// <summary>A comorbidity category of a code list, with its published weights and ICD-10 prefixes (no dots).</summary>
public sealed record ComorbidityCategory(string Key, string Name, IReadOnlyDictionary<string, int> Weights, IReadOnlyList<string> Icd10Prefixes)
{
    /// <summary>Codes under one of the prefixes that do not establish the category (charlson_exclusions.csv).</summary>
    public IReadOnlyList<string> Icd10Exclusions { get; init; } = [];

    /// <summary>The category's ICD-9-CM codes (Quan 2005 "enhanced ICD-9-CM"), as prefixes without the dot.</summary>
    public IReadOnlyList<string> Icd9Prefixes { get; init; } = [];

    public bool Matches(string normalizedIcd10) =>
        Icd10Prefixes.Any(p => normalizedIcd10.StartsWith(p, StringComparison.Ordinal))
        && !Icd10Exclusions.Any(p => normalizedIcd10.StartsWith(p, StringComparison.Ordinal));
}

/// <summary>
/// A comorbidity code list (Charlson or Elixhauser, Quan 2005 ICD-10 and enhanced ICD-9-CM codings) and the SNOMED CT
/// concepts mapped onto it. The lists ship as data files (Comorbidity/Data, provenance in its README), not as code.
/// </summary>
public sealed class CodeList
{
    private readonly IReadOnlyDictionary<string, ComorbidityCategory> _snomed;

    /// <summary>ICD-10 prefix → the categories listing it, so a code is matched by looking up its own prefixes.</summary>
    private readonly Dictionary<string, ComorbidityCategory[]> _byPrefix;
    private readonly int _longestPrefix;

    private CodeList(IReadOnlyList<ComorbidityCategory> categories, IReadOnlyDictionary<string, ComorbidityCategory> snomed)
    {
        Categories = categories;
        _snomed = snomed;
        _byPrefix = categories
            .SelectMany(c => c.Icd10Prefixes.Select(p => (Prefix: p, Category: c)))
            .GroupBy(p => p.Prefix, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(p => p.Category).Distinct().ToArray(), StringComparer.Ordinal);
        _longestPrefix = _byPrefix.Keys.Max(k => k.Length);
    }

    public IReadOnlyList<ComorbidityCategory> Categories { get; }

    public IReadOnlyDictionary<string, string> SnomedToCategory => _snomed.ToDictionary(p => p.Key, p => p.Value.Key);

    public ComorbidityCategory this[string key] => Categories.First(c => c.Key == key);

    /// <summary>Charlson comorbidity index categories (Quan 2005), weights "charlson" (1987) and "quan2011".</summary>
    public static CodeList Charlson { get; } = Load(
        "charlson_icd10_quan.csv", ComorbidityNames.CharlsonNames, "snomed_charlson.csv", "charlson_exclusions.csv", "charlson_icd9cm_quan.csv");

    /// <summary>Elixhauser categories (Quan 2005), weight "vanwalraven" (van Walraven 2009). ICD-10 and ICD-9-CM.</summary>
    public static CodeList Elixhauser { get; } = Load(
        "elixhauser_icd10_quan.csv", ComorbidityNames.ElixhauserNames, snomedFile: null, exclusionsFile: null, icd9File: "elixhauser_icd9cm_quan.csv");

    /// <summary>
    /// The categories a coded condition falls in (ICD-10 or ICD-10-CM with or without dots, ICD-9-CM with or without
    /// dots, or SNOMED CT).
    /// </summary>
    public IEnumerable<ComorbidityCategory> CategoriesOf(string system, string code)
    {
        if (system == CodeSystems.Icd9Cm)
        {
            // Quan's SAS algorithm compares the code's first 3, 4 and 5 characters with the list: a prefix match.
            var normalized = NormalizeIcd10(code);
            return Categories.Where(c => c.Icd9Prefixes.Any(p => normalized.StartsWith(p, StringComparison.Ordinal))).ToList();
        }

        if (system is CodeSystems.Icd10Cm or CodeSystems.Icd10)
        {
            var normalized = NormalizeIcd10(code);
            var found = new List<ComorbidityCategory>(1);
            for (var length = 1; length <= Math.Min(normalized.Length, _longestPrefix); length++)
            {
                if (_byPrefix.TryGetValue(normalized[..length], out var categories))
                {
                    found.AddRange(categories.Where(c => !found.Contains(c)));
                }
            }

            found.RemoveAll(c => !c.Matches(normalized));
            return found;
        }

        return system == CodeSystems.SnomedCt && _snomed.TryGetValue(code.Trim(), out var category) ? [category] : [];
    }

    /// <summary>ICD-10 (and ICD-9-CM) as the Quan lists write it: upper case, no dot, no spaces ("n18.30" → "N1830").</summary>
    public static string NormalizeIcd10(string code) =>
        string.Concat(code.Where(ch => ch != '.' && !char.IsWhiteSpace(ch))).ToUpperInvariant();

    private static CodeList Load(string file, IReadOnlyDictionary<string, string> names, string? snomedFile, string? exclusionsFile, string icd9File)
    {
        var rows = ReadCsv(file);
        var exclusions = (exclusionsFile is null ? [] : ReadCsv(exclusionsFile).Skip(1)).ToLookup(r => r[0], r => r[1], StringComparer.Ordinal);
        var icd9 = ReadCsv(icd9File).Skip(1).ToDictionary(r => r[0], r => (IReadOnlyList<string>)r[1].Split(';', StringSplitOptions.RemoveEmptyEntries), StringComparer.Ordinal);
        if (icd9.Keys.FirstOrDefault(k => !names.ContainsKey(k)) is { } unknown)
        {
            throw new InvalidDataException($"{icd9File}: unknown category '{unknown}'.");
        }
        var header = rows[0];
        var weightColumns = Enumerable.Range(1, header.Count - 2).ToList();
        var categories = rows.Skip(1)
            .Select(r => new ComorbidityCategory(
                r[0],
                names.TryGetValue(r[0], out var name) ? name : throw new InvalidDataException($"{file}: no name for category '{r[0]}'."),
                weightColumns.ToDictionary(i => header[i]["weight_".Length..], i => int.Parse(r[i], System.Globalization.CultureInfo.InvariantCulture)),
                r[^1].Split(';', StringSplitOptions.RemoveEmptyEntries))
            {
                Icd10Exclusions = exclusions[r[0]].ToList(),
                Icd9Prefixes = icd9.TryGetValue(r[0], out var prefixes) ? prefixes : [],
            })
            .ToList();
        var byKey = categories.ToDictionary(c => c.Key);
        var snomed = snomedFile is null
            ? new Dictionary<string, ComorbidityCategory>()
            : ReadCsv(snomedFile).Skip(1).ToDictionary(
                r => r[0],
                r => byKey.TryGetValue(r[1], out var c) ? c : throw new InvalidDataException($"{snomedFile}: unknown category '{r[1]}' for {r[0]}."));
        return new CodeList(categories, snomed);
    }

    private static List<IReadOnlyList<string>> ReadCsv(string resource)
    {
        using var stream = typeof(CodeList).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidDataException($"Embedded code list {resource} is missing.");
        using var reader = new StreamReader(stream);
        var rows = new List<IReadOnlyList<string>>();
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0)
            {
                rows.Add(SplitCsvLine(line));
            }
        }

        return rows;
    }

    private static List<string> SplitCsvLine(string line)
    {
        var fields = new List<string>();
        var field = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var ch = line[i];
            if (quoted)
            {
                if (ch == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (ch == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(ch);
                }
            }
            else if (ch == '"')
            {
                quoted = true;
            }
            else if (ch == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else
            {
                field.Append(ch);
            }
        }

        fields.Add(field.ToString());
        return fields;
    }
}

/// <summary>Clinical names of the code lists' category keys (the keys are the R package comorbidity's short names).</summary>
internal static class ComorbidityNames
{
    public static readonly Dictionary<string, string> CharlsonNames = new()
    {
        ["mi"] = "Myocardial infarction",
        ["chf"] = "Congestive heart failure",
        ["pvd"] = "Peripheral vascular disease",
        ["cevd"] = "Cerebrovascular disease",
        ["dementia"] = "Dementia",
        ["cpd"] = "Chronic pulmonary disease",
        ["rheumd"] = "Rheumatic (connective tissue) disease",
        ["pud"] = "Peptic ulcer disease",
        ["mld"] = "Mild liver disease",
        ["diab"] = "Diabetes without chronic complication",
        ["diabwc"] = "Diabetes with chronic complication",
        ["hp"] = "Hemiplegia or paraplegia",
        ["rend"] = "Renal disease",
        ["canc"] = "Any malignancy, including lymphoma and leukaemia",
        ["msld"] = "Moderate or severe liver disease",
        ["metacanc"] = "Metastatic solid tumour",
        ["aids"] = "AIDS/HIV",
    };

    public static readonly Dictionary<string, string> ElixhauserNames = new()
    {
        ["chf"] = "Congestive heart failure",
        ["carit"] = "Cardiac arrhythmias",
        ["valv"] = "Valvular disease",
        ["pcd"] = "Pulmonary circulation disorders",
        ["pvd"] = "Peripheral vascular disorders",
        ["hypunc"] = "Hypertension, uncomplicated",
        ["hypc"] = "Hypertension, complicated",
        ["para"] = "Paralysis",
        ["ond"] = "Other neurological disorders",
        ["cpd"] = "Chronic pulmonary disease",
        ["diabunc"] = "Diabetes, uncomplicated",
        ["diabc"] = "Diabetes, complicated",
        ["hypothy"] = "Hypothyroidism",
        ["rf"] = "Renal failure",
        ["ld"] = "Liver disease",
        ["pud"] = "Peptic ulcer disease, excluding bleeding",
        ["aids"] = "AIDS/HIV",
        ["lymph"] = "Lymphoma",
        ["metacanc"] = "Metastatic cancer",
        ["solidtum"] = "Solid tumour without metastasis",
        ["rheumd"] = "Rheumatoid arthritis/collagen vascular diseases",
        ["coag"] = "Coagulopathy",
        ["obes"] = "Obesity",
        ["wloss"] = "Weight loss",
        ["fed"] = "Fluid and electrolyte disorders",
        ["blane"] = "Blood loss anaemia",
        ["dane"] = "Deficiency anaemia",
        ["alcohol"] = "Alcohol abuse",
        ["drug"] = "Drug abuse",
        ["psycho"] = "Psychoses",
        ["depre"] = "Depression",
    };
}
