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

    public static FhirResponse BadRequest(params string[] messages) =>
        new(FhirResponseKind.Invalid, FhirJson.ToUtf8(Of(OperationOutcome.IssueType.Invalid, messages)));

    public static FhirResponse NotFound(string message) =>
        new(FhirResponseKind.NotFound, FhirJson.ToUtf8(Of(OperationOutcome.IssueType.NotFound, [message])));
}
