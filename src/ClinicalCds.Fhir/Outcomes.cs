using Hl7.Fhir.Model;

namespace ClinicalCds.Fhir;

/// <summary>OperationOutcome answers for bad input; messages never carry PHI, only paths, line numbers and reasons.</summary>
public static class Outcomes
{
    public static OperationOutcome Of(OperationOutcome.IssueType type, IEnumerable<string> messages, OperationOutcome.IssueSeverity severity = OperationOutcome.IssueSeverity.Error)
    {
        var outcome = new OperationOutcome();
        foreach (var message in messages)
        {
            outcome.Issue.Add(new OperationOutcome.IssueComponent { Severity = severity, Code = type, Diagnostics = message });
        }

        if (outcome.Issue.Count == 0)
        {
            outcome.Issue.Add(new OperationOutcome.IssueComponent { Severity = OperationOutcome.IssueSeverity.Information, Code = OperationOutcome.IssueType.Informational, Diagnostics = "All OK" });
        }

        return outcome;
    }

    public static FhirResponse Response(int status, OperationOutcome.IssueType type, params string[] messages) =>
        new(status, FhirJson.ToUtf8(Of(type, messages)));

    public static FhirResponse BadRequest(params string[] messages) => Response(400, OperationOutcome.IssueType.Invalid, messages);

    public static FhirResponse NotFound(string message) => Response(404, OperationOutcome.IssueType.NotFound, message);
}
