using System.Globalization;
using ClinicalCds.Application.Abstractions;
using Hl7.Fhir.Model;

namespace ClinicalCds.Application.Scoring;

/// <summary>
/// A stored score as a FHIR R4 RiskAssessment: status final, the patient and stay, when it was assessed, the method
/// (model or published score, with its version), the predicted outcome with its probability and qualitative risk over
/// the outcome's window, and the top factors as a note. The id names the run, model and patient, so it is stable.
/// </summary>
public static class RiskAssessments
{
    public const string MethodSystem = "http://clinicalcds.org/fhir/CodeSystem/risk-method";
    public const string OutcomeSystem = "http://clinicalcds.org/fhir/CodeSystem/risk-outcome";
    public const string RiskProbabilitySystem = "http://terminology.hl7.org/CodeSystem/risk-probability";

    public static string Id(long runId, string model, string patientId) => $"{runId}-{model}-{patientId}";

    /// <summary>The (run, model, patient) an id names, or null when it is not one of ours.</summary>
    public static (long RunId, string Model, string PatientId)? ParseId(string id)
    {
        var parts = id.Split('-', 3);
        return parts.Length == 3 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var run)
               && RiskModelNames.All.Contains(parts[1]) && parts[2].Length > 0
            ? (run, parts[1], parts[2])
            : null;
    }

    public static RiskAssessment From(StoredScore score)
    {
        var readmission = score.Model == RiskModelNames.Readmission;
        var window = readmission ? TimeSpan.FromDays(30) : TimeSpan.FromHours(48);
        var prediction = new RiskAssessment.PredictionComponent
        {
            Outcome = new CodeableConcept(OutcomeSystem, score.Model, readmission
                ? "Unplanned inpatient readmission within 30 days of discharge"
                : "Clinical deterioration (ICU transfer, cardiac arrest or death) within 48 hours"),
            QualitativeRisk = new CodeableConcept(RiskProbabilitySystem, score.Tier, score.Tier),
            When = new Period(new FhirDateTime(score.FeaturesAsOf), new FhirDateTime(score.FeaturesAsOf + window)),
        };
        if (score.Probability is { } probability)
        {
            prediction.Probability = new FhirDecimal((decimal)Math.Round(probability, 4));
        }

        return new RiskAssessment
        {
            Id = Id(score.RunId, score.Model, score.PatientId),
            Meta = new Meta { LastUpdatedElement = new Instant(score.ScoredAt) },
            Status = ObservationStatus.Final,
            Subject = new ResourceReference($"Patient/{score.PatientId}"),
            Encounter = new ResourceReference($"Encounter/{score.EncounterId}"),
            Occurrence = new FhirDateTime(score.AsOf),
            Method = new CodeableConcept(MethodSystem, score.Method, score.Method),
            Basis = [new ResourceReference($"Encounter/{score.EncounterId}")],
            Prediction = [prediction],
            Note =
            [
                new Annotation
                {
                    Text = new Markdown(
                        $"{score.Summary}. What drove it: {string.Join("; ", score.TopFactors)}. Published score for reference: {score.PublishedScore}."),
                },
            ],
        };
    }

    /// <summary>A searchset Bundle of the scores, newest first.</summary>
    public static Bundle Searchset(IReadOnlyList<StoredScore> scores, string baseUrl, DateTimeOffset now) => new()
    {
        Id = Guid.NewGuid().ToString(),
        Meta = new Meta { LastUpdatedElement = new Instant(now) },
        Type = Bundle.BundleType.Searchset,
        Total = scores.Count,
        Entry = [.. scores.Select(s => new Bundle.EntryComponent
        {
            FullUrl = $"{baseUrl.TrimEnd('/')}/RiskAssessment/{Id(s.RunId, s.Model, s.PatientId)}",
            Resource = From(s),
            Search = new Bundle.SearchComponent { Mode = Bundle.SearchEntryMode.Match },
        })],
    };

    /// <summary>A transaction Bundle that PUTs each RiskAssessment: idempotent at the receiver, so a retry adds nothing.</summary>
    public static Bundle Transaction(IReadOnlyList<StoredScore> scores) => new()
    {
        Type = Bundle.BundleType.Transaction,
        Entry = [.. scores.Select(s => new Bundle.EntryComponent
        {
            FullUrl = $"RiskAssessment/{Id(s.RunId, s.Model, s.PatientId)}",
            Resource = From(s),
            Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.PUT, Url = $"RiskAssessment/{Id(s.RunId, s.Model, s.PatientId)}" },
        })],
    };
}
