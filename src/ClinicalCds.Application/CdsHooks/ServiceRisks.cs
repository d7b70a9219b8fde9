using ClinicalCds.Domain.Explanations;
using ClinicalCds.Domain.Risks;

namespace ClinicalCds.Application.CdsHooks;

/// <summary>
/// The risk (or, for patient-view, the risks in order) each CDS Service answers with, from
/// <see cref="CdsHooksOptions.ServiceModels"/> checked against the known risks and each service's hook; and the card
/// indicators checked to name known risks and tiers. Built once at start: a mistake stops the server with its message.
/// </summary>
public sealed class ServiceRisks
{
    private readonly Dictionary<string, IReadOnlyList<RiskDefinition>> _byService;

    public ServiceRisks(CdsHooksOptions options, RiskCatalog risks)
    {
        var errors = new List<string>();
        _byService = new Dictionary<string, IReadOnlyList<RiskDefinition>>(StringComparer.Ordinal);
        foreach (var service in CdsServices.Discovery.Services)
        {
            var names = options.ServiceModels.TryGetValue(service.Id, out var configured)
                ? configured.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                : [];
            var found = names.Select(risks.Find).ToList();
            errors.AddRange(names.Where(n => !risks.Contains(n)).Select(n => $"CdsHooks:ServiceModels:{service.Id}: unknown model '{n}' (known: {risks.Known})."));
            var known = found.OfType<RiskDefinition>().ToList();
            var moment = service.Hook switch
            {
                "encounter-discharge" => RiskMoment.AtDischarge,
                "encounter-start" => RiskMoment.DuringStay,
                _ => (RiskMoment?)null,
            };
            if (names.Length == 0 || (moment is not null && names.Length != 1))
            {
                errors.Add($"CdsHooks:ServiceModels:{service.Id}: name {(moment is null ? "one or more models" : "exactly one model")} for the {service.Hook} hook.");
            }

            errors.AddRange(known.Where(r => moment is { } m && r.Moment != m)
                .Select(r => $"CdsHooks:ServiceModels:{service.Id}: the model '{r.Name}' is judged {Words(r.Moment)}, which the {service.Hook} hook is not."));
            _byService[service.Id] = known;
        }

        foreach (var key in options.Indicators.Keys)
        {
            var parts = key.Split('.');
            if (parts.Length != 2 || !risks.Contains(parts[0].ToLowerInvariant()) || !Enum.TryParse<RiskTier>(parts[1], ignoreCase: true, out _))
            {
                errors.Add($"CdsHooks:Indicators: '{key}' is not MODEL.TIER with a known model ({risks.Known}) and tier (Low, Moderate, High).");
            }
        }

        if (errors.Count > 0)
        {
            throw new InvalidOperationException(string.Join(" ", errors));
        }
    }

    /// <summary>The service's risks, in the order patient-view tries them.</summary>
    public IReadOnlyList<RiskDefinition> For(string serviceId) => _byService[serviceId];

    private static string Words(RiskMoment moment) => moment == RiskMoment.AtDischarge ? "at discharge" : "during a stay";
}
