using System.Globalization;
using ClinicalCds.Application.Abstractions;
using ClinicalCds.Domain.Explanations;
using ClinicalCds.Domain.Risks;
using Hl7.Fhir.Model;

namespace ClinicalCds.Application.Scoring;

/// <summary>
/// A stored score as a FHIR R4 RiskAssessment: status final, the patient and stay, when it was assessed, the method
/// (model or published score, with its version), the predicted outcome with its probability and qualitative risk over
/// the outcome's window, and the top factors with the missing-data caveat as a note. The id names the run, model and patient, so it is stable.
/// </summary>
public static class RiskAssessments
{
    public const string MethodSystem = "http://clinicalcds.org/fhir/CodeSystem/risk-method";
    public const string OutcomeSystem = "http://clinicalcds.org/fhir/CodeSystem/risk-outcome";
    public const string RiskProbabilitySystem = "http://terminology.hl7.org/CodeSystem/risk-probability";

    public static string Id(long runId, string model, string patientId) => $"{runId}-{model}-{patientId}";

    /// <summary>The (run, model, patient) an id names, or null when it is not one of ours (a model of <paramref name="risks"/>).</summary>
    public static (long RunId, string Model, string PatientId)? ParseId(string id, RiskCatalog risks)
    {
        var parts = id.Split('-', 3);
        return parts.Length == 3 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var run)
               && risks.Contains(parts[1]) && parts[2].Length > 0
            ? (run, parts[1], parts[2])
            : null;
    }

    /// <summary>A stored score as its RiskAssessment; <paramref name="risks"/> defines its outcome (a retired model's only by name).</summary>
    public static RiskAssessment From(StoredScore score, RiskCatalog risks)
    {
        var assessment = Create(score.Model, risks.Find(score.Model), score.PatientId, score.EncounterId, score.AsOf, score.FeaturesAsOf, score.Probability,
            score.Tier, score.Method, score.Summary, score.TopFactors, score.PublishedScore, score.NotRecorded);
        assessment.Id = Id(score.RunId, score.Model, score.PatientId);
        assessment.Meta = new Meta { LastUpdatedElement = new Instant(score.ScoredAt) };
        return assessment;
    }

    /// <summary>
    /// A risk just computed (a CDS Hooks call) as a RiskAssessment to create: no id, which the receiving server assigns.
    /// </summary>
    public static RiskAssessment Proposed(PatientRisk risk, DateTimeOffset assessedAt) => Create(
        risk.Explanation.Risk.Name, risk.Explanation.Risk, risk.PatientId, risk.Target.Stay.EncounterId, assessedAt, risk.Features.AsOf,
        ProbabilityOf(risk.Explanation), TierOf(risk.Explanation), risk.Explanation.SourceLabel, risk.Explanation.Summary,
        risk.Explanation.TopFactors, risk.Explanation.PublishedScore, risk.Explanation.NotRecorded);

    /// <summary>The tier as stored and as the RiskAssessment's qualitative risk code ("high", "moderate", "low").</summary>
    public static string TierCode(RiskTier tier) => tier.ToString().ToLowerInvariant();

    /// <summary>Stored for a risk that could not be estimated for want of data: no tier, no probability to rank on.</summary>
    public const string Insufficient = "insufficient";

    /// <summary>The stored tier of an explained risk: its tier, or <see cref="Insufficient"/>.</summary>
    public static string TierOf(RiskExplanation risk) => risk.InsufficientData ? Insufficient : TierCode(risk.Tier);

    /// <summary>The stored probability: none when the data were insufficient (the estimate is not one to act or rank on).</summary>
    public static double? ProbabilityOf(RiskExplanation risk) => risk.InsufficientData ? null : risk.Probability;

    private static RiskAssessment Create(
        string model, RiskDefinition? risk, string patientId, string encounterId, DateTimeOffset assessedAt, DateTimeOffset featuresAsOf, double? probability,
        string tier, string method, string summary, IReadOnlyList<string> topFactors, string publishedScore, string? notRecorded = null)
    {
        var prediction = new RiskAssessment.PredictionComponent
        {
            Outcome = new CodeableConcept(OutcomeSystem, model, risk?.OutcomeDisplay ?? model),
            // No qualitative risk when the data were insufficient: the summary (in the note) says why.
            QualitativeRisk = tier == Insufficient ? null : new CodeableConcept(RiskProbabilitySystem, tier, tier),
            When = new Period(new FhirDateTime(featuresAsOf), risk is null ? null : new FhirDateTime(featuresAsOf + risk.Window)),
        };
        if (probability is { } p)
        {
            prediction.Probability = new FhirDecimal((decimal)Math.Round(p, 4));
        }

        return new RiskAssessment
        {
            Status = ObservationStatus.Final,
            Subject = new ResourceReference($"Patient/{patientId}"),
            Encounter = new ResourceReference($"Encounter/{encounterId}"),
            Occurrence = new FhirDateTime(assessedAt),
            Method = new CodeableConcept(MethodSystem, method, method),
            Basis = [new ResourceReference($"Encounter/{encounterId}")],
            Prediction = [prediction],
            Note =
            [
                new Annotation
                {
                    Text = new Markdown($"{summary}. What drove it: {string.Join("; ", topFactors)}. Published score for reference: {publishedScore}."
                        + (notRecorded is null ? string.Empty : $" {notRecorded}")),
                },
            ],
        };
    }

    /// <summary>A page of a patient's RiskAssessments: <paramref name="total"/> matches in all, with its paging links.</summary>
    public static Bundle Searchset(IReadOnlyList<StoredScore> scores, RiskCatalog risks, long total, IReadOnlyList<(string Relation, string Url)> links, string baseUrl, DateTimeOffset now) => new()
    {
        Id = Guid.NewGuid().ToString(),
        Meta = new Meta { LastUpdatedElement = new Instant(now) },
        Type = Bundle.BundleType.Searchset,
        Total = (int)total,
        Link = [.. links.Select(l => new Bundle.LinkComponent { Relation = l.Relation, Url = l.Url })],
        Entry = [.. scores.Select(s => new Bundle.EntryComponent
        {
            FullUrl = $"{baseUrl.TrimEnd('/')}/RiskAssessment/{Id(s.RunId, s.Model, s.PatientId)}",
            Resource = From(s, risks),
            Search = new Bundle.SearchComponent { Mode = Bundle.SearchEntryMode.Match },
        })],
    };

    /// <summary>A transaction Bundle that PUTs each RiskAssessment: idempotent at the receiver, so a retry adds nothing.</summary>
    public static Bundle Transaction(IReadOnlyList<StoredScore> scores, RiskCatalog risks) => new()
    {
        Type = Bundle.BundleType.Transaction,
        Entry = [.. scores.Select(s => new Bundle.EntryComponent
        {
            FullUrl = $"RiskAssessment/{Id(s.RunId, s.Model, s.PatientId)}",
            Resource = From(s, risks),
            Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.PUT, Url = $"RiskAssessment/{Id(s.RunId, s.Model, s.PatientId)}" },
        })],
    };
}
