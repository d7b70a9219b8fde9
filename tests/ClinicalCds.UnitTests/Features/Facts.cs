using ClinicalCds.Domain.Clinical;
using ClinicalCds.Domain.Units;

namespace ClinicalCds.UnitTests.Features;

/// <summary>Terse clinical facts for one test patient.</summary>
internal static class Facts
{
    public const string PatientId = "p1";

    public static DateTimeOffset At(string iso) => DateTimeOffset.Parse(iso, System.Globalization.CultureInfo.InvariantCulture);

    public static PatientFact Patient(string birthDate = "1950-06-15", string sex = "female", DateTimeOffset? died = null) =>
        new(PatientId, DateOnly.Parse(birthDate, System.Globalization.CultureInfo.InvariantCulture), sex, died is not null, died);

    public static EncounterFact Stay(string id, string start, string? end, string? priority = null, string? admitSource = null,
        string? disposition = null, string? service = null, bool icu = false, string classCode = "IMP") =>
        new(id, PatientId, end is null ? "in-progress" : "finished", classCode, null, null, null, At(start), end is null ? null : At(end),
            priority, admitSource, disposition, service,
            icu ? [new EncounterLocationFact("icu", "Medical ICU", true, At(start), end is null ? null : At(end))] : []);

    public static EncounterFact EdVisit(string id, string start, string end) => Stay(id, start, end, classCode: "EMER");

    public static ConditionFact Condition(string id, string system, string code, string recorded, string? verification = null) =>
        new(id, 0, PatientId, null, system, code, null, "active", verification, null, At(recorded), At(recorded), null);

    public static ObservationFact Lab(string id, string loinc, double value, string unit, string at, string status = "final")
    {
        var canonical = UnitConversion.ToCanonical(loinc, value, unit)!.Value;
        return new(id, 0, PatientId, null, CodeSystems.Loinc, loinc, canonical.Value, canonical.Unit, value, unit, null, status, At(at));
    }

    public static ObservationFact Coded(string id, string loinc, string valueCode, string at) =>
        new(id, 0, PatientId, null, CodeSystems.Loinc, loinc, null, null, null, null, valueCode, "final", At(at));

    public static ProcedureFact Procedure(string id, string at, string? encounterId = null, string status = "completed") =>
        new(id, PatientId, encounterId, CodeSystems.SnomedCt, "40701008", "Echocardiography", status, At(at), At(at));

    public static MedicationRequestFact Medication(string id, string rxnorm, string authored, string status = "active") =>
        new(id, PatientId, null, CodeSystems.RxNorm, rxnorm, null, status, "order", At(authored));
}
