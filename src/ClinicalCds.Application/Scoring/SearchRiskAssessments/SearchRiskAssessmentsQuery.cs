using ClinicalCds.Application.Abstractions;
using ClinicalCds.Domain.Risks;
using ClinicalCds.Fhir;
using ClinicalCds.Fhir.Ingest;
using Mediator;

namespace ClinicalCds.Application.Scoring.SearchRiskAssessments;

/// <summary>
/// GET /fhir/RiskAssessment?patient=ID[&amp;model=M][&amp;_count=N][&amp;_offset=K] (a patient's scores, newest first, paged
/// like every search: the true total, next and previous links) and
/// GET /fhir/RiskAssessment/ID: the score history as FHIR, built from the stored scores.
/// </summary>
public sealed record SearchRiskAssessmentsQuery(IReadOnlyList<KeyValuePair<string, string>> Parameters, string BaseUrl, string? Id = null)
    : IQuery<FhirResponse>;

public sealed class SearchRiskAssessmentsHandler(IScoringStore store, RiskCatalog risks, TimeProvider clock) : IQueryHandler<SearchRiskAssessmentsQuery, FhirResponse>
{
    public async ValueTask<FhirResponse> Handle(SearchRiskAssessmentsQuery query, CancellationToken cancellationToken)
    {
        if (query.Id is { } id)
        {
            var scoreOf = RiskAssessments.ParseId(id, risks) is { } key
                && await store.ScoresAsync(new ScoreSelection(key.PatientId, key.Model, key.RunId, Limit: 1), cancellationToken) is [var found, ..]
                ? found
                : null;
            return scoreOf is null
                ? Outcomes.NotFound($"RiskAssessment/{id} is not known.")
                : new FhirResponse(FhirResponseKind.Ok, FhirJson.ToUtf8(RiskAssessments.From(scoreOf, risks)), LastModified: scoreOf.ScoredAt);
        }

        string? patient = null, model = null;
        var count = 100;
        var offset = 0;
        var errors = new List<string>();
        foreach (var (name, value) in query.Parameters)
        {
            switch (name)
            {
                case "patient" or "subject":
                    patient = value.StartsWith("Patient/", StringComparison.Ordinal) ? value["Patient/".Length..] : value;
                    break;
                case "model":
                    model = value;
                    break;
                case "_count" when int.TryParse(value, out var n) && n is >= 1 and <= 1000:
                    count = n;
                    break;
                case "_count":
                    errors.Add("_count must be a number from 1 to 1000.");
                    break;
                case "_offset" when int.TryParse(value, out var k) && k >= 0:
                    offset = k;
                    break;
                case "_offset":
                    errors.Add("_offset must be a non-negative integer.");
                    break;
                case "_format":
                    break;
                default:
                    errors.Add($"The search parameter '{name}' is not supported on RiskAssessment (supported: patient, subject, model, _count, _offset).");
                    break;
            }
        }

        if (patient is null || !ResourcePreparer.IsValidId(patient))
        {
            errors.Add("RiskAssessment searches need a patient: ?patient=ID.");
        }

        if (model is not null && !risks.Contains(model))
        {
            errors.Add($"Unknown model '{model}' (known: {risks.Known}).");
        }

        if (errors.Count > 0)
        {
            return Outcomes.BadRequest([.. errors]);
        }

        var selection = new ScoreSelection(patient, model, Limit: count, Offset: offset);
        var scores = await store.ScoresAsync(selection, cancellationToken);
        var total = await store.CountScoresAsync(selection, cancellationToken);
        var links = Fhir.SearchLinks.Of(query.BaseUrl, "RiskAssessment", query.Parameters, offset, count, total);
        return new FhirResponse(FhirResponseKind.Ok, FhirJson.ToUtf8(RiskAssessments.Searchset(scores, risks, total, links, query.BaseUrl, clock.GetUtcNow())));
    }
}
