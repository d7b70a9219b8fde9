using ClinicalCds.Domain.Clinical;
using ClinicalCds.Domain.Scores;

namespace ClinicalCds.Synthetic;

/// <summary>
/// The vital signs charted for one patient: rounds of the NEWS2 parameters on the ward, single readings in the ED and
/// the clinic. Draws from the patient's record stream in the order the simulator always drew them (same seed, same files).
/// </summary>
internal sealed class VitalSignCharting(Rng rng, SyntheticFhirWriter fhir, Func<Diagnosis, DateTime, bool> has)
{
    private readonly Rng _rng = rng;
    private readonly SyntheticFhirWriter _fhir = fhir;

    private bool Has(Diagnosis diagnosis, DateTime at) => has(diagnosis, at);

    /// <summary>
    /// A round of vital signs. Each parameter is charted with its own probability (<see cref="Charting"/>), independently
    /// of the patient's state; the set returned is the patient's true state, as NEWS2 would read it fully charted
    /// (oxygen saturation on scale 1), since the ground truth depends on the patient, not on what was written down.
    /// </summary>
    public News2Input Round(string encounterId, DateTime at, double s, Presentation presentation)
    {
        var truth = presentation.Sample(_rng, s, Has(Catalog.Copd, at), Has(Catalog.Dementia, at));
        if (_rng.Chance(Charting.RespiratoryRate))
        {
            Record(encounterId, at, Loinc.RespiratoryRate, "Respiratory rate", truth.RespiratoryRatePerMin!.Value, "/min");
        }

        if (_rng.Chance(Charting.OxygenSaturation))
        {
            Record(encounterId, at, Loinc.OxygenSaturationPulseOximetry, "Oxygen saturation in Arterial blood by Pulse oximetry", truth.SpO2Percent!.Value, "%");
        }

        if (_rng.Chance(Charting.BloodPressure))
        {
            var systolic = truth.SystolicBpMmHg!.Value;
            _fhir.BloodPressure(_rng.Uuid(), encounterId, at, systolic, Math.Round(Math.Clamp(_rng.Normal(systolic * 0.6, 6), 25, 130)));
        }

        if (_rng.Chance(Charting.HeartRate))
        {
            Record(encounterId, at, Loinc.HeartRate, "Heart rate", truth.PulsePerMin!.Value, "/min");
        }

        var fahrenheit = _rng.Chance(0.1);
        if (_rng.Chance(Charting.Temperature))
        {
            var celsius = truth.TemperatureCelsius!.Value;
            if (fahrenheit)
            {
                Record(encounterId, at, Loinc.BodyTemperature, "Body temperature", Math.Round((celsius * 9 / 5) + 32, 1), "[degF]");
            }
            else
            {
                Record(encounterId, at, Loinc.BodyTemperature, "Body temperature", celsius, "Cel");
            }
        }

        var (code, display) = Catalog.Consciousness[(int)truth.Consciousness!.Value];
        var id = _rng.Uuid();
        if (_rng.Chance(Charting.Consciousness))
        {
            _fhir.CodedObservation(id, encounterId, at, SyntheticFhirWriter.VitalSigns, (Loinc.LevelOfConsciousness, "Level of responsiveness"), (CodeSystems.SnomedCt, code, display));
        }

        var oxygen = truth.OnSupplementalOxygen == true ? _rng.Int(1, 7) : 0;
        if (_rng.Chance(Charting.Oxygen))
        {
            Record(encounterId, at, Loinc.InhaledOxygenFlowRate, "Inhaled oxygen flow rate", oxygen, "L/min");
        }

        return truth;
    }

    public double BloodPressure(string encounterId, DateTime at, double s, bool charted = true)
    {
        var systolic = Math.Round(Math.Clamp(_rng.Normal(128 - (9 * s), 12), 70, 220));
        var diastolic = Math.Round(Math.Clamp(_rng.Normal(systolic * 0.6, 6), 35, 130));
        if (!charted)
        {
            return systolic;
        }

        _fhir.BloodPressure(_rng.Uuid(), encounterId, at, systolic, diastolic);
        return systolic;
    }

    public void Record(string encounterId, DateTime at, string loinc, string display, double value, string unit) =>
        _fhir.Observation(_rng.Uuid(), encounterId, at, SyntheticFhirWriter.VitalSigns, (loinc, display), value, unit);
}
