using ClinicalCds.Domain.Comorbidity;
using ClinicalCds.Domain.Scores;

namespace ClinicalCds.Domain.Features;

/// <summary>
/// One feature of the model vector. <see cref="CanBeMissing"/> marks features whose value is null when the data was
/// not recorded (a model must know "not measured" apart from "normal").
/// </summary>
public sealed record FeatureDefinition(string Name, string Unit, string Definition, string SourceCodes, bool CanBeMissing)
{
    internal Func<ClinicalFeatures, double?> Read { get; init; } = _ => null;

    /// <summary>
    /// A feature computed from the features by <paramref name="read"/> (null: not recorded). A risk that defines one for
    /// itself gives its <paramref name="words"/> for the card (the catalog's own are worded in FactorWording).
    /// </summary>
    public static FeatureDefinition Computed(
        string name, string unit, string definition, string sourceCodes, Func<ClinicalFeatures, double?> read, bool canBeMissing = false, FeatureWords? words = null) =>
        new(name, unit, definition, sourceCodes, canBeMissing) { Read = read, Words = words };

    /// <summary>How a clinician reads this feature's value, when the feature brings its own words.</summary>
    public FeatureWords? Words { get; init; }

    /// <summary>When the value was measured, for features read from one observation (null for the others).</summary>
    internal Func<ClinicalFeatures, DateTimeOffset?> MeasuredAt { get; init; } = _ => null;

    /// <summary>The measurement a derangement is read from, as charted (null for other features).</summary>
    internal Func<ClinicalFeatures, double?> Measured { get; init; } = _ => null;

    /// <summary>
    /// More of this input never means a lower risk: a derangement beyond a published score's normal band, a sign of
    /// illness. Models are trained monotone non-decreasing in it (ADR 0007).
    /// </summary>
    public bool NeverLowersRisk { get; init; }

    /// <summary>For a derangement, its measurement's normal band edge in words ("above 90"); null for other features.</summary>
    public string? Beyond { get; init; }

    /// <summary>When this feature's value was measured in <paramref name="features"/>; null when it is not a measurement.</summary>
    public DateTimeOffset? MeasuredIn(ClinicalFeatures features) => MeasuredAt(features);

    /// <summary>The measurement a derangement feature is read from in <paramref name="features"/>, as charted.</summary>
    public double? MeasurementIn(ClinicalFeatures features) => Measured(features);
}

/// <summary>How a feature's value is said: a count ("3 admissions"), a flag ("Emergency admission" / "No …") or a measurement ("Hemoglobin 9.1 g/dL").</summary>
public enum FeatureValueKind
{
    Count,
    Flag,
    Measure,
}

/// <summary>A feature's words for a card: how its value is said and its label ("admission{s} in the prior 12 months").</summary>
public sealed record FeatureWords(FeatureValueKind Kind, string Label);

/// <summary>A feature vector in the order of the input list <paramref name="CatalogVersion"/> names; a null value was not observed.</summary>
public sealed record FeatureVector(string CatalogVersion, IReadOnlyList<double?> Values);

/// <summary>
/// The features this server computes, each defined once, and the standard input list of the shipped risks
/// (<see cref="Standard"/>). A risk chooses its own inputs (<see cref="Risks.RiskDefinition.Inputs"/>): the standard
/// list, or another version of its own with features defined here or by the risk itself
/// (<see cref="FeatureDefinition.Computed"/>). docs/features.md documents the standard list (a test keeps the two in step).
/// </summary>
public static class FeatureCatalog
{
    public const string Version = "clinicalcds-features/4";

    private static double Flag(bool value) => value ? 1.0 : 0.0;

    private static FeatureDefinition Feature(string name, string unit, string definition, string codes, Func<ClinicalFeatures, double?> read, bool canBeMissing = false) =>
        FeatureDefinition.Computed(name, unit, definition, codes, read, canBeMissing);

    /// <summary>
    /// A comorbidity input, read from the conditions known at the instant — and not recorded when no condition at all is:
    /// a chart without a single condition is one whose problem list and diagnoses did not reach us, not a patient without
    /// comorbidity. Every inpatient stay carries at least one diagnosis (the principal diagnosis a hospital claim must
    /// name: CMS UB-04 / 837I, form locator 67), so for the stays these models score an empty list means unknown, and the
    /// model completes the comorbidity like patients with the same recorded inputs (ADR 0009) instead of reading it as
    /// none — which put the charted estimate above the stated range on 94 % of charts whose conditions went missing
    /// (issue 31 item 2). Of the synthetic population's inpatient stays 0.4 % have no condition by their discharge; of
    /// the MIMIC-IV demo's, none.
    /// </summary>
    private static FeatureDefinition Comorbidity(string name, string unit, string definition, string codes, Func<ClinicalFeatures, double> read) =>
        new(name, unit, $"{definition}; not recorded when no condition at all is known at the instant", codes, CanBeMissing: true)
        {
            Read = f => f.ConditionsRecorded == 0 ? null : read(f),
        };

    private static FeatureDefinition Measured(string name, string unit, string definition, string codes, Func<ClinicalFeatures, Measurement?> read) =>
        new(name, unit, definition, codes, CanBeMissing: true) { Read = f => read(f)?.Value, MeasuredAt = f => read(f)?.At };

    /// <summary>
    /// How far a vital sign lies beyond an edge of NEWS2's 0-point band, read as NEWS2 reads it (whole numbers;
    /// temperature to 0.1 °C): 0 inside the band, rising with derangement — so that a U-shaped physiology enters the
    /// model as two inputs that each never lower the risk (ADR 0007). Not recorded when the vital sign was not.
    /// </summary>
    private static FeatureDefinition Deranged(
        string name, string unit, string parameter, string beyond, string codes, Func<ClinicalFeatures, Measurement?> read, Func<double, double> distance, int decimals = 0) =>
        new(name, unit, $"How far {parameter} lies {beyond} (NEWS2's 0-point band edge; 0 within it), {VitalSet}", codes, CanBeMissing: true)
        {
            Read = f => read(f) is { } m ? Math.Max(0, distance(Math.Round(m.Value, decimals, MidpointRounding.AwayFromZero))) : null,
            MeasuredAt = f => read(f)?.At,
            Measured = f => read(f)?.Value,
            NeverLowersRisk = true,
            Beyond = beyond,
        };

    private const string VitalSet = "each vital sign's latest value charted in the 24 h before the instant, within the index stay or the 24 h before admission; not recorded when none is that recent";

    public static IReadOnlyList<FeatureDefinition> Features { get; } = BuildCatalog();

    /// <summary>The shipped risks' inputs: every feature above, in this order, as version <see cref="Version"/>.</summary>
    public static FeatureSet Standard { get; } = new(Version, Features);

    /// <summary>The standard inputs of <paramref name="features"/> (what the features API and CLI show).</summary>
    public static FeatureVector Vectorize(ClinicalFeatures features) => Standard.Vectorize(features);

    /// <summary>The standard list as the Markdown table of docs/features.md.</summary>
    public static string ToMarkdown() => Standard.ToMarkdown();

    private static List<FeatureDefinition> BuildCatalog()
    {
        const string Stay = "index stay";
        const string Window = "latest value during the index stay or the 24 h before admission, up to the instant";
        const string Set = VitalSet;
        var list = new List<FeatureDefinition>
        {
            Feature("AgeYears", "a", "Completed years of age on the date of the instant", "Patient.birthDate", f => f.AgeYears, canBeMissing: true),
            Feature("Female", "1/0", "Administrative gender female (1) or male (0); missing when other or unknown", "Patient.gender", f => f.Female is { } v ? Flag(v) : null, canBeMissing: true),
            Feature("LengthOfStayDays", "d", "Calendar days from the admission date to the discharge date (or the instant's date while the stay is open) in the hospital's calendar (Clinical:TimeZone); a same-day discharge is 0", $"Encounter.period of the {Stay}", f => f.LengthOfStayDays),
            Feature("EmergentAdmission", "1/0", "Admission priority emergency/urgent (v3 ActPriority EM, UR, A, S); without a priority: admitted from the emergency department (admit source emd) or an ED visit ended within 24 h before admission", "Encounter.priority, hospitalization.admitSource, class EMER encounters", f => Flag(f.EmergentAdmission)),
            Feature("DischargeFromOncology", "1/0", "The stay's service type, or its last ward, is oncology", "Encounter.serviceType, Encounter.location", f => Flag(f.DischargeFromOncology)),
            Feature("ProceduresDuringStay", "count", "Procedures linked to the stay or performed during it (not not-done or entered-in-error)", "Procedure.encounter, Procedure.performed[x]", f => f.ProceduresDuringStay),
            Feature("IntensiveCareDuringStay", "1/0", "Any location of the stay is an intensive care unit", "Encounter.location (name or physical type ICU / intensive care / critical care)", f => Flag(f.IntensiveCareDuringStay)),
            Feature("DischargedToPostAcuteCare", "1/0", "Discharged to skilled nursing, rehabilitation, long-term care or another facility; missing before discharge or when not recorded", "Encounter.hospitalization.dischargeDisposition snf, rehab, long, other-hcf", f => f.DischargeDisposition is { } d ? Flag(EncounterKinds.IsPostAcuteCare(d)) : null, canBeMissing: true),
            Feature("DischargedAgainstMedicalAdvice", "1/0", "Left against medical advice; missing before discharge or when not recorded", "Encounter.hospitalization.dischargeDisposition aadvice", f => f.DischargeDisposition is { } d ? Flag(d == EncounterKinds.AgainstMedicalAdvice) : null, canBeMissing: true),
            Feature("AdmissionsPrior12Months", "count", "Other inpatient stays (class IMP, ACUTE, NONAC) that started in the 12 months before admission", "Encounter.class, Encounter.period", f => f.AdmissionsPrior12Months),
            Feature("EdVisitsPrior6Months", "count", "Emergency department visits (class EMER) that started in the 6 months before admission, not counting the visit that led to this admission", "Encounter.class, Encounter.period", f => f.EdVisitsPrior6Months),
        };

        foreach (var category in CodeList.Charlson.Categories)
        {
            list.Add(Comorbidity($"Charlson_{category.Key}", "1/0", $"Charlson category present: {category.Name} (any condition known at the instant, not refuted)",
                $"Quan 2005 ICD-10 {string.Join(' ', category.Icd10Prefixes)}; SNOMED CT per snomed_charlson.csv", f => Flag(f.CharlsonCategories.Contains(category.Key))));
        }

        list.Add(Comorbidity("CharlsonIndex", "points", "Charlson comorbidity index, original 1987 weights, severe form replaces mild", "Charlson categories", f => CharlsonIndex.Score(f.CharlsonCategories, CharlsonWeights.Charlson1987).Total));
        list.Add(Comorbidity("CharlsonIndexQuan2011", "points", "Charlson comorbidity index, Quan 2011 weights, severe form replaces mild", "Charlson categories", f => CharlsonIndex.Score(f.CharlsonCategories, CharlsonWeights.Quan2011).Total));

        foreach (var category in CodeList.Elixhauser.Categories)
        {
            list.Add(Comorbidity($"Elixhauser_{category.Key}", "1/0", $"Elixhauser category present: {category.Name} (ICD-10 coded conditions known at the instant)",
                $"Quan 2005 ICD-10 {string.Join(' ', category.Icd10Prefixes)}", f => Flag(f.ElixhauserCategories.Contains(category.Key))));
        }

        list.Add(Comorbidity("ElixhauserVanWalraven", "points", "Elixhauser score with van Walraven weights", "Elixhauser categories", f => ElixhauserIndex.Score(f.ElixhauserCategories).Total));

        list.AddRange(
        [
            Measured("HemoglobinGdl", "g/dL", $"Hemoglobin, {Window}", "LOINC 718-7, 20509-6 (blood-gas co-oximetry not pooled)", f => f.Hemoglobin),
            Measured("SodiumMmolL", "mmol/L", $"Sodium, {Window}", "LOINC 2951-2, 2947-0", f => f.Sodium),
            Measured("PotassiumMmolL", "mmol/L", $"Potassium, {Window}", "LOINC 2823-3, 6298-4", f => f.Potassium),
            Measured("CreatinineMgDl", "mg/dL", $"Creatinine, {Window}", "LOINC 2160-0, 38483-4, 14682-9", f => f.Creatinine),
            Measured("WhiteBloodCellsPerNl", "10*3/uL", $"Leukocytes, {Window}", "LOINC 6690-2, 26464-8", f => f.WhiteBloodCells),
            Measured("AlbuminGdl", "g/dL", $"Albumin, {Window}", "LOINC 1751-7", f => f.Albumin),
            Feature("CreatinineChange48hMgDl", "mg/dL", "Latest creatinine minus the lowest creatinine in the 48 h before it; missing without an earlier value", "creatinine LOINC codes", f => f.CreatinineCourse is { LowestPrior48hMgDl: { } low } c ? c.LatestMgDl - low : null, canBeMissing: true),
            Feature("AkiStageKdigo", "stage", "KDIGO AKI stage 0-3 from the creatinine course (rise within 48 h, ratio to the lowest value within 7 days, ≥ 4.0 mg/dL)", "creatinine LOINC codes", f => f.CreatinineCourse is { } c ? Kdigo.Stage(c) : null, canBeMissing: true),
            // Vital signs as derangements beyond NEWS2's 0-point band (RCP NEWS2 2017, Chart 1), each direction its own input.
            Deranged("RespiratoryRateBelow12PerMin", "/min", "the respiratory rate", "below 12", "LOINC 9279-1", f => f.RespiratoryRate, v => 12 - v),
            Deranged("RespiratoryRateAbove20PerMin", "/min", "the respiratory rate", "above 20", "LOINC 9279-1", f => f.RespiratoryRate, v => v - 20),
            Deranged("OxygenSaturationBelow96Percent", "%", "SpO2 by pulse oximetry", "below 96", "LOINC 59408-5 (arterial SaO2 not pooled)", f => f.OxygenSaturation, v => 96 - v),
            Deranged("SystolicBpBelow111MmHg", "mm[Hg]", "the systolic blood pressure (own observation or panel component)", "below 111", "LOINC 8480-6 (in 85354-9)", f => f.SystolicBloodPressure, v => 111 - v),
            Deranged("SystolicBpAbove219MmHg", "mm[Hg]", "the systolic blood pressure (own observation or panel component)", "above 219", "LOINC 8480-6 (in 85354-9)", f => f.SystolicBloodPressure, v => v - 219),
            Deranged("HeartRateBelow51PerMin", "/min", "the heart rate", "below 51", "LOINC 8867-4", f => f.HeartRate, v => 51 - v),
            Deranged("HeartRateAbove90PerMin", "/min", "the heart rate", "above 90", "LOINC 8867-4", f => f.HeartRate, v => v - 90),
            Deranged("TemperatureBelow36_1Celsius", "Cel", "the body temperature", "below 36.1", "LOINC 8310-5", f => f.Temperature, v => 36.1 - v, decimals: 1),
            Deranged("TemperatureAbove38Celsius", "Cel", "the body temperature", "above 38.0", "LOINC 8310-5", f => f.Temperature, v => v - 38.0, decimals: 1),
            Feature("NotAlert", "1/0", $"Level of consciousness other than alert (new confusion, voice, pain, unresponsive), {Set}", "LOINC 67775-7 answer (SNOMED CT ACVPU concepts)", f => f.Consciousness is { } c ? Flag(c != Consciousness.Alert) : null, canBeMissing: true) with { NeverLowersRisk = true },
            Feature("SupplementalOxygen", "1/0", $"On supplemental oxygen (flow > 0 L/min or FiO2 > 21 %), {Set}; not recorded (never \"air\") when neither was charted", "LOINC 3151-8, 3150-0", f => f.SupplementalOxygen is { } o ? Flag(o) : null, canBeMissing: true) with { NeverLowersRisk = true },
            Feature("ActiveMedicationCount", "count", "Distinct medications ordered in the 365 days up to the instant (not cancelled, draft or entered-in-error)", "MedicationRequest.medication[x], authoredOn", f => f.ActiveMedicationCount),
        ]);
        return list;
    }
}
