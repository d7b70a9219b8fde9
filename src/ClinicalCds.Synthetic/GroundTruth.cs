namespace ClinicalCds.Synthetic;

/// <summary>
/// The generator's true risk at each index discharge (30-day unplanned readmission) and at each scoring time of an
/// inpatient stay (deterioration within 48 hours), with the outcome that was then drawn. The outcome is empty when
/// the follow-up window reaches past the population's as-of instant (censored).
/// </summary>
public static class GroundTruth
{
    public const string Folder = "ground-truth";
    public const string ReadmissionFile = "readmission.csv";
    public const string ComplicationFile = "complication.csv";
    public const string ReadmissionHeader = "patient_id,encounter_id,discharge_time,true_probability,readmitted_30d,readmission_encounter_id,lace,hospital";
    public const string ComplicationHeader = "patient_id,encounter_id,scoring_time,true_probability,event_48h,event_type,event_time,true_news2";
}
