using ClinicalCds.Domain.Scores;

namespace ClinicalCds.Domain.Features;

/// <summary>The published scores of a patient's features: the plain-language basis shown beside a model's risk.</summary>
public static class PublishedScores
{
    public static LaceInput LaceInputOf(ClinicalFeatures f) =>
        new(f.LengthOfStayDays, f.EmergentAdmission, f.CharlsonCategories, f.EdVisitsPrior6Months);

    public static HospitalInput HospitalInputOf(ClinicalFeatures f) => new(
        f.Hemoglobin?.Value, f.DischargeFromOncology, f.Sodium?.Value, f.CodedProcedureDuringStay, f.EmergentAdmission,
        f.AdmissionsPrior12Months, f.LengthOfStayDays);

    public static News2Input News2InputOf(ClinicalFeatures f) => new(
        f.RespiratoryRate?.Value, f.OxygenSaturation?.Value, f.SupplementalOxygen, f.SystolicBloodPressure?.Value,
        f.HeartRate?.Value, f.Consciousness, f.Temperature?.Value, f.HypercapnicRespiratoryFailure);

    public static IReadOnlyList<ScoreResult> All(ClinicalFeatures f) =>
    [
        Lace.Score(LaceInputOf(f)),
        Hospital.Score(HospitalInputOf(f)),
        News2.Score(News2InputOf(f)),
        CharlsonIndex.Score(f.CharlsonCategories, CharlsonWeights.Charlson1987),
        CharlsonIndex.Score(f.CharlsonCategories, CharlsonWeights.Quan2011),
        Kdigo.Score(f.CreatinineCourse),
    ];
}
