using ClinicalCds.Application.Abstractions;
using ClinicalCds.Domain.Clinical;
using ClinicalCds.Fhir.Mapping;
using Mediator;

namespace ClinicalCds.Application.Fhir.RederiveFacts;

/// <summary>How far a re-derivation has come: resources of the type being done, and in all.</summary>
public sealed record RederiveProgress(string ResourceType, long Done, long Total);

/// <summary>
/// Re-derives the stored facts of every projected resource type (or of <paramref name="Types"/>) from the stored JSON
/// through the terminology and encounter rules in force — after a ConceptMap or an encounter rule changed. No re-import;
/// resources and their versions are untouched; running it again changes nothing.
/// </summary>
public sealed record RederiveFactsCommand(IReadOnlyList<string>? Types = null, IProgress<RederiveProgress>? Progress = null)
    : ICommand<IReadOnlyDictionary<string, long>>;

public sealed class RederiveFactsHandler(IFactRederivation store, IFhirStore counts, Terminology terminology)
    : ICommandHandler<RederiveFactsCommand, IReadOnlyDictionary<string, long>>
{
    /// <summary>The resource types the store projects into clinical facts.</summary>
    public static readonly IReadOnlyList<string> ProjectedTypes = ["Patient", "Encounter", "Condition", "Observation", "Procedure", "MedicationRequest"];

    private const int BatchSize = 2000;

    public async ValueTask<IReadOnlyDictionary<string, long>> Handle(RederiveFactsCommand command, CancellationToken cancellationToken)
    {
        var unknown = (command.Types ?? []).Where(t => !ProjectedTypes.Contains(t)).ToList();
        if (unknown.Count > 0)
        {
            throw new ArgumentException($"Not a projected resource type: {string.Join(", ", unknown)} (projected: {string.Join(", ", ProjectedTypes)}).");
        }

        var stored = await counts.CountCurrentByTypeAsync(cancellationToken);
        var done = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var type in command.Types ?? ProjectedTypes)
        {
            var total = stored.GetValueOrDefault(type);
            long count = 0;
            string? after = null;
            while (true)
            {
                var batch = await store.RederiveBatchAsync(type, after, BatchSize, json => FactMapper.Map(json, terminology: terminology), cancellationToken);
                if (batch.Count == 0)
                {
                    break;
                }

                count += batch.Count;
                after = batch.LastId;
                command.Progress?.Report(new RederiveProgress(type, count, Math.Max(total, count)));
            }

            done[type] = count;
        }

        return done;
    }
}
