using ClinicalCds.Application.Abstractions;
using Npgsql;

namespace ClinicalCds.Infrastructure.Fhir;

/// <summary>Translates search criteria into a parameterised WHERE clause over fhir_resources r and the projections.</summary>
internal static class SearchSql
{
    private sealed record Projection(string Table, string Key, string CodeSystem, string Code, Func<string, string> DateColumn);

    private static readonly Dictionary<string, Projection> Projections = new(StringComparer.Ordinal)
    {
        ["Encounter"] = new("encounters", "encounter_id", "type_system", "type_code", _ => "period_start"),
        ["Condition"] = new("conditions", "condition_id", "system", "code", p => p == "recorded-date" ? "recorded" : "onset"),
        ["Observation"] = new("observations", "observation_id", "system", "code", _ => "effective"),
        ["Procedure"] = new("procedures", "procedure_id", "system", "code", _ => "performed_start"),
        ["MedicationRequest"] = new("medication_requests", "medication_request_id", "system", "code", _ => "authored_on"),
    };

    public static (string Where, List<NpgsqlParameter> Parameters) Where(SearchCriteria criteria)
    {
        var parameters = new List<NpgsqlParameter>();
        string Param(object value)
        {
            var name = $"p{parameters.Count}";
            parameters.Add(new NpgsqlParameter(name, value));
            return "@" + name;
        }

        var clauses = new List<string> { $"r.resource_type = {Param(criteria.ResourceType)}", "r.is_current" };
        if (criteria.PatientId is { } patient)
        {
            clauses.Add($"r.patient_id = {Param(patient)}");
        }

        if (criteria.Ids.Count > 0)
        {
            clauses.Add($"r.id = ANY({Param(criteria.Ids.ToArray())})");
        }

        if (Projections.TryGetValue(criteria.ResourceType, out var projection))
        {
            foreach (var date in criteria.Dates)
            {
                var column = $"p.{projection.DateColumn(date.Parameter)}";
                var start = Param(date.Start.UtcDateTime);
                var end = Param(date.End.UtcDateTime);
                var condition = date.Prefix switch
                {
                    DatePrefix.Eq => $"{column} >= {start} AND {column} < {end}",
                    DatePrefix.Ne => $"NOT ({column} >= {start} AND {column} < {end})",
                    DatePrefix.Gt => $"{column} >= {end}",
                    DatePrefix.Ge => $"{column} >= {start}",
                    DatePrefix.Lt => $"{column} < {start}",
                    _ => $"{column} < {end}",
                };
                clauses.Add(Exists(projection, condition));
            }

            foreach (var tokens in criteria.Codes)
            {
                clauses.Add(Exists(projection, AnyToken(tokens, $"p.{projection.CodeSystem}", $"p.{projection.Code}", Param)));
            }

            foreach (var tokens in criteria.EncounterClasses)
            {
                clauses.Add(Exists(projection, AnyToken(tokens, null, "p.class_code", Param)));
            }
        }

        return (string.Join(" AND ", clauses), parameters);
    }

    private static string Exists(Projection projection, string condition) =>
        $"EXISTS (SELECT 1 FROM {projection.Table} p WHERE p.{projection.Key} = r.id AND {condition})";

    private static string AnyToken(IReadOnlyList<TokenFilter> tokens, string? systemColumn, string codeColumn, Func<object, string> param) =>
        "(" + string.Join(" OR ", tokens.Select(t =>
            t.System is { } system && systemColumn is not null
                ? $"({systemColumn} = {param(system)} AND {codeColumn} = {param(t.Code)})"
                : $"{codeColumn} = {param(t.Code)}")) + ")";
}
