using ClinicalCds.Application.Abstractions;
using ClinicalCds.Domain.Clinical;
using ClinicalCds.Domain.Features;
using ClinicalCds.Domain.Risks;
using Mediator;

namespace ClinicalCds.Application.Features.GetCoverage;

/// <summary>
/// The data-readiness report a hospital's analyst runs before go-live: for the model's scoring targets in the store (its
/// outcome rule's instants: index discharges, stay scoring times) as of <paramref name="AsOf"/>, the share at which each
/// catalog feature is present; the codes seen most often that no map turns into a code the features read; and the
/// encounters recognised per kind. Read through the one timeline and feature path, so it reports what scoring sees.
/// </summary>
public sealed record GetCoverageQuery(RiskDefinition Risk, DateTimeOffset AsOf, int TopCodes = 15) : IQuery<CoverageReport>;

public sealed record FeatureCoverage(string Feature, string Definition, bool CanBeMissing, long Present, long Targets)
{
    public double Share => Targets == 0 ? 0 : Present / (double)Targets;
}

/// <summary>A code no map turns into one the features read: its resource type, system, code, a display where known, how often.</summary>
public sealed record UnmappedCode(string ResourceType, string System, string Code, string? Display, long Count);

public sealed record CoverageReport(
    string Model, DateTimeOffset AsOf, long Patients, long Targets, IReadOnlyList<FeatureCoverage> Features, IReadOnlyList<UnmappedCode> Unmapped,
    IReadOnlyDictionary<string, long> EncountersByKind)
{
    /// <summary>
    /// What the report can say about the codes: with no scoring target it has read no data, so it says that — never
    /// that every code maps (issue 30: a shifted extract judged against today's clock has all its data "in the future").
    /// </summary>
    public string CodesVerdict =>
        Targets == 0
            ? $"No scoring targets with data up to {AsOf:yyyy-MM-dd HH:mm} UTC, so this report has read no data and cannot say whether the codes map. If the data's dates lie later (a shifted or de-identified extract), give the end of the data: --as-of, ?asOf= or Scoring:AsOf."
            : Unmapped.Count == 0 ? "Every code maps to one the features read." : "Codes seen most often that map to nothing (map them next):";
}

public sealed class GetCoverageHandler(IPatientTimelineReader timelines, IFhirStore store) : IQueryHandler<GetCoverageQuery, CoverageReport>
{
    /// <summary>Code systems the features read conditions in.</summary>
    private static readonly string[] ConditionSystems = [CodeSystems.Icd10Cm, CodeSystems.Icd10, CodeSystems.Icd9Cm, CodeSystems.SnomedCt];

    public async ValueTask<CoverageReport> Handle(GetCoverageQuery query, CancellationToken cancellationToken)
    {
        var catalog = FeatureCatalog.Features;
        var present = new long[catalog.Count];
        long targets = 0, patients = 0;
        var unmapped = new Dictionary<(string Type, string System, string Code), (string? Display, long Count)>();
        var kinds = Enum.GetValues<EncounterKind>().ToDictionary(k => k.ToString(), _ => 0L, StringComparer.Ordinal);

        void Count(string type, string system, string code, string? display)
        {
            var key = (type, system, code);
            var (known, count) = unmapped.GetValueOrDefault(key);
            unmapped[key] = (known ?? display, count + 1);
        }

        await foreach (var timeline in timelines.ReadAllAsync(cancellationToken))
        {
            patients++;
            var known = timeline.AsOf(query.AsOf);
            foreach (var example in query.Risk.Examples(timeline, query.AsOf))
            {
                targets++;
                var values = FeatureCatalog.Vectorize(FeatureBuilder.Build(timeline, example.Stay.EncounterId, example.Instant)!).Values;
                for (var i = 0; i < values.Count; i++)
                {
                    present[i] += values[i] is null ? 0 : 1;
                }
            }

            foreach (var encounter in known.Encounters)
            {
                kinds[EncounterKinds.KindOf(encounter).ToString()]++;
            }

            foreach (var observation in known.Observations.Where(o => o.System != CodeSystems.Loinc))
            {
                Count("Observation", observation.System, observation.Code, null);
            }

            foreach (var condition in known.Conditions.Where(c => !ConditionSystems.Contains(c.System)))
            {
                Count("Condition", condition.System, condition.Code, condition.Display);
            }
        }

        var top = new List<UnmappedCode>();
        foreach (var u in unmapped.GroupBy(u => u.Key.Type)
                     .SelectMany(g => g.OrderByDescending(u => u.Value.Count).ThenBy(u => u.Key.Code, StringComparer.Ordinal).Take(query.TopCodes)))
        {
            top.Add(new UnmappedCode(u.Key.Type, u.Key.System, u.Key.Code,
                u.Value.Display ?? await DisplayAsync(u.Key.Type, u.Key.System, u.Key.Code, cancellationToken), u.Value.Count));
        }

        return new CoverageReport(
            query.Risk.Name, query.AsOf, patients, targets,
            [.. catalog.Select((f, i) => new FeatureCoverage(f.Name, f.Definition, f.CanBeMissing, present[i], targets))],
            top, kinds);
    }

    /// <summary>The display a stored resource gives the code (observation facts keep none): one search, one resource.</summary>
    private async Task<string?> DisplayAsync(string type, string system, string code, CancellationToken ct)
    {
        var page = await store.SearchAsync(new SearchCriteria(type, [], null, [], [[new TokenFilter(system, code, true)]], [], 1, 0), ct);
        if (page.Resources.Count == 0)
        {
            return null;
        }

        using var document = System.Text.Json.JsonDocument.Parse(page.Resources[0].Json);
        return document.RootElement.TryGetProperty("code", out var concept) && concept.TryGetProperty("coding", out var codings)
            ? codings.EnumerateArray()
                .Where(c => c.TryGetProperty("system", out var s) && s.GetString() == system && c.TryGetProperty("code", out var k) && k.GetString() == code)
                .Select(c => c.TryGetProperty("display", out var d) ? d.GetString() : null)
                .FirstOrDefault()
            : null;
    }
}
