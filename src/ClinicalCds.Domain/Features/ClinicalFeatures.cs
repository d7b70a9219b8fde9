using ClinicalCds.Domain.Scores;

namespace ClinicalCds.Domain.Features;

/// <summary>A measured value in its canonical unit and when it was taken.</summary>
public sealed record Measurement(double Value, string Unit, DateTimeOffset At);

/// <summary>
/// A patient's features as of an instant, around an index stay (the discharge for readmission risk, the scoring time
/// during a stay for complication risk). Null means "not recorded"; <see cref="FeatureCatalog"/> turns this into the
/// model's vector and documents every field.
/// </summary>
public sealed record ClinicalFeatures
{
    public required string PatientId { get; init; }
    public required string IndexEncounterId { get; init; }
    public required DateTimeOffset AsOf { get; init; }

    public int? AgeYears { get; init; }
    public bool? Female { get; init; }

    public required DateTimeOffset AdmittedAt { get; init; }
    /// <summary>Null while the stay is still open at the instant.</summary>
    public DateTimeOffset? DischargedAt { get; init; }
    public int LengthOfStayDays { get; init; }
    public bool EmergentAdmission { get; init; }
    public bool DischargeFromOncology { get; init; }
    public int ProceduresDuringStay { get; init; }

    /// <summary>A coded procedure during the stay, as HOSPITAL counts one (<see cref="Scores.HospitalProcedures"/>); not a model input.</summary>
    public bool CodedProcedureDuringStay { get; init; }
    public bool IntensiveCareDuringStay { get; init; }
    /// <summary>HL7 discharge-disposition code; null until discharged or when not recorded.</summary>
    public string? DischargeDisposition { get; init; }

    public int AdmissionsPrior12Months { get; init; }
    public int EdVisitsPrior6Months { get; init; }

    /// <summary>Conditions known at the instant (not refuted or entered in error): none means nothing to score comorbidity on, not "no comorbidity".</summary>
    public int ConditionsRecorded { get; init; }

    /// <summary>Charlson categories (Quan 2005 keys) present, before the severity hierarchy.</summary>
    public required IReadOnlySet<string> CharlsonCategories { get; init; }
    /// <summary>Elixhauser categories (Quan 2005 keys) present, before the severity hierarchy.</summary>
    public required IReadOnlySet<string> ElixhauserCategories { get; init; }
    public bool HypercapnicRespiratoryFailure { get; init; }

    public Measurement? Hemoglobin { get; init; }
    public Measurement? Sodium { get; init; }
    public Measurement? Potassium { get; init; }
    public Measurement? Creatinine { get; init; }
    public Measurement? WhiteBloodCells { get; init; }
    public Measurement? Albumin { get; init; }
    /// <summary>The latest creatinine against its earlier values (KDIGO's inputs); null without a creatinine.</summary>
    public CreatinineCourse? CreatinineCourse { get; init; }

    public Measurement? RespiratoryRate { get; init; }
    public Measurement? OxygenSaturation { get; init; }
    public Measurement? SystolicBloodPressure { get; init; }
    public Measurement? HeartRate { get; init; }
    public Measurement? Temperature { get; init; }
    public Consciousness? Consciousness { get; init; }
    /// <summary>True on supplemental oxygen, false when charted on air; null when nothing was charted.</summary>
    public bool? SupplementalOxygen { get; init; }

    public int ActiveMedicationCount { get; init; }
}
