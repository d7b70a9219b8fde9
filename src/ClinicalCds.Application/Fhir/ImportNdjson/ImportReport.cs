using ClinicalCds.Fhir;
using Hl7.Fhir.Model;

namespace ClinicalCds.Application.Fhir.ImportNdjson;

/// <summary>An import's result as FHIR: Parameters with the counts and an OperationOutcome naming each rejected line.</summary>
public static class ImportReport
{
    public static FhirResponse ToResponse(ImportResult result)
    {
        var outcome = Outcomes.Of(OperationOutcome.IssueType.Invalid, result.Rejected.Select(r => $"{r.Source} line {r.Line}: {r.Reason}"));
        for (var i = 0; i < result.Rejected.Count; i++)
        {
            outcome.Issue[i].Location = [$"line {result.Rejected[i].Line}"];
        }

        var parameters = new Parameters();
        parameters.Add("lines", Count(result.Lines));
        parameters.Add("created", Count(result.Created));
        parameters.Add("updated", Count(result.Updated));
        parameters.Add("unchanged", Count(result.Unchanged));
        parameters.Add("rejected", Count(result.Rejected.Count));
        foreach (var (type, count) in result.ResourcesByType.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            parameters.Parameter.Add(new Parameters.ParameterComponent
            {
                Name = "resourceType",
                Part =
                [
                    new Parameters.ParameterComponent { Name = "type", Value = new Code(type) },
                    new Parameters.ParameterComponent { Name = "count", Value = Count(count) },
                ],
            });
        }

        parameters.Parameter.Add(new Parameters.ParameterComponent { Name = "outcome", Resource = outcome });
        // Every line rejected and none stored: the request as a whole was bad.
        var kind = result.Stored == 0 && result.Rejected.Count > 0 ? FhirResponseKind.Invalid : FhirResponseKind.Ok;
        return new FhirResponse(kind, FhirJson.ToUtf8(parameters));
    }

    // FHIR R4 has no integer64; a count beyond int.MaxValue in one request is capped rather than wrapped.
    private static Integer Count(long value) => new((int)Math.Min(value, int.MaxValue));
}
