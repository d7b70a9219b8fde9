using ClinicalCds.Domain.Clinical;
using Hl7.Fhir.Model;

namespace ClinicalCds.Fhir.Terminologies;

/// <summary>
/// FHIR R4 ConceptMaps → the groups the fact mapper applies (<see cref="Domain.Clinical.Terminology"/>). A mapping is
/// used when its equivalence says the target means the same or more (equivalent, equal, wider, subsumes — R4
/// ConceptMapEquivalence); narrower, inexact, unmatched and disjoint targets are not codes the features may read as
/// the source. A group with <c>unmapped.mode = provided</c> declares its source system an alias of its target.
/// </summary>
public static class ConceptMaps
{
    private static readonly ConceptMapEquivalence[] Usable =
        [ConceptMapEquivalence.Equivalent, ConceptMapEquivalence.Equal, ConceptMapEquivalence.Wider, ConceptMapEquivalence.Subsumes];

    /// <summary>The groups of one ConceptMap given as JSON, or why it cannot be used (each reason in words).</summary>
    public static IReadOnlyList<ConceptMapGroup> Read(ReadOnlySpan<byte> utf8Json, out IReadOnlyList<string> errors)
    {
        var resource = FhirJson.TryParse(utf8Json, out var parseErrors);
        if (resource is not ConceptMap map)
        {
            errors = resource is null ? parseErrors : [$"a {resource.TypeName}, not a ConceptMap"];
            return [];
        }

        return Groups(map, out errors);
    }

    public static IReadOnlyList<ConceptMapGroup> Groups(ConceptMap map, out IReadOnlyList<string> errors)
    {
        var problems = new List<string>();
        var name = $"{map.Url ?? map.Id ?? "ConceptMap"}{(map.Version is { } v ? $"|{v}" : string.Empty)}";
        var groups = new List<ConceptMapGroup>();
        foreach (var (group, index) in map.Group.Select((g, i) => (g, i)))
        {
            if (string.IsNullOrEmpty(group.Source) || string.IsNullOrEmpty(group.Target))
            {
                problems.Add($"group[{index}] needs both source and target (code system URIs).");
                continue;
            }

            var codes = new Dictionary<string, (string Code, string? Display)>(StringComparer.Ordinal);
            var inContext = new List<ContextualMapping>();
            foreach (var element in group.Element.Where(e => !string.IsNullOrEmpty(e.Code)))
            {
                var usable = element.Target.Where(t => !string.IsNullOrEmpty(t.Code) && t.Equivalence is { } e && Usable.Contains(e)).ToList();
                // A target that depends on the resource's context holds only there (R4 target.dependsOn: property, value).
                foreach (var target in usable.Where(t => t.DependsOn.Count > 0))
                {
                    if (target.DependsOn.Count != 1 || string.IsNullOrEmpty(target.DependsOn[0].Property) || string.IsNullOrEmpty(target.DependsOn[0].Value))
                    {
                        problems.Add($"group[{index}]: the code '{element.Code}' depends on a context this server cannot read (one dependsOn with a property and a value).");
                        continue;
                    }

                    inContext.Add(new ContextualMapping(element.Code!, target.Code!, target.Display, target.DependsOn[0].Property!, target.DependsOn[0].Value!));
                }

                var unconditional = usable.FirstOrDefault(t => t.DependsOn.Count == 0);
                if (unconditional is not null && !codes.TryAdd(element.Code!, (unconditional.Code!, unconditional.Display)))
                {
                    problems.Add($"group[{index}]: the code '{element.Code}' is mapped twice.");
                }
            }

            var provided = group.Unmapped?.Mode == ConceptMap.ConceptMapGroupUnmappedMode.Provided;
            if (codes.Count == 0 && inContext.Count == 0 && !provided)
            {
                problems.Add($"group[{index}] ({group.Source} → {group.Target}) maps nothing usable.");
                continue;
            }

            groups.Add(new ConceptMapGroup(group.Source, group.Target, codes, provided, name) { InContext = inContext });
        }

        if (groups.Count == 0 && problems.Count == 0)
        {
            problems.Add("it has no group.");
        }

        errors = problems;
        return groups;
    }
}
