using ClinicalCds.Domain.Clinical;

namespace ClinicalCds.Synthetic;

/// <summary>
/// The laboratory work charted for one patient: a day's blood count, metabolic panel and albumin, each drawn with its own
/// probability, in the units and codes real feeds use. Draws from the patient's record stream in the order the simulator
/// always drew them (same seed, same files).
/// </summary>
internal sealed class LaboratoryWork(Rng rng, SyntheticFhirWriter fhir, bool female, double frailty, Func<Diagnosis, DateTime, bool> has)
{
    private readonly Rng _rng = rng;
    private readonly SyntheticFhirWriter _fhir = fhir;
    private readonly bool _female = female;
    private readonly double _frailty = frailty;

    private bool Has(Diagnosis diagnosis, DateTime at) => has(diagnosis, at);

    /// <summary>The values of a laboratory panel the ground truth reads, as measured (g/dL, mmol/L, g/dL, mg/dL).</summary>
    public readonly record struct Panel(double Hemoglobin, double Sodium, double Albumin, double Creatinine);

    /// <summary>
    /// A day's laboratory work: the blood count, the basic metabolic panel and albumin are each drawn with their own
    /// probability (<see cref="Charting"/>); returns the patient's true values, drawn or not, which the ground truth reads.
    /// </summary>
    public Panel Draw(string encounterId, DateTime at, double s, string? acuteReason, int admissionDay)
    {
        var bloodCount = _rng.Chance(Charting.BloodCount);
        var metabolicPanel = _rng.Chance(Charting.MetabolicPanel);
        var albuminDrawn = _rng.Chance(Charting.Albumin);
        var ckd = Has(Catalog.ChronicKidneyDisease, at) ? 1 : 0;
        var dkd = Has(Catalog.DiabeticKidneyDisease, at) ? 1 : 0;
        var cancer = Has(Catalog.LungCancer, at) || Has(Catalog.MetastaticCancer, at) ? 1 : 0;
        // Anaemia is common in inpatients and deepens in hospital (hospital-acquired anaemia from phlebotomy and
        // haemodilution: Koch CG et al., J Hosp Med 2013;8(9):506-12); hyponatraemia is found in 15-30 % of them
        // (Upadhyay A et al., Am J Med 2006;119(7 Suppl 1):S30-5).
        var hemoglobin = Math.Round(Math.Clamp(_rng.Normal((_female ? 12.8 : 14.2) - (0.9 * s) - (1.5 * ckd) - (1.0 * cancer) - (0.4 * _frailty) - Math.Min(0.3 * admissionDay, 1.2), 1.2), 5, 19), 1);
        var sodium = Math.Round(Math.Clamp(_rng.Normal(139 - (1.6 * s) - (Has(Catalog.HeartFailure, at) ? 1.5 : 0), 3.0), 115, 160));
        var potassium = Math.Round(Math.Clamp(_rng.Normal(4.2 + (0.15 * s) + (0.5 * ckd), 0.35), 2.5, 7.5), 1);
        var creatinineBase = ckd == 1 ? 2.2 : dkd == 1 ? 1.6 : 0.9;
        var aki = acuteReason == "aki" ? 1.0 + (0.9 * Math.Pow(0.6, admissionDay)) : 1.0;
        var creatinine = Math.Round(Math.Clamp(creatinineBase * aki * (1 + (0.12 * Math.Max(s, 0))) * (1 + _rng.Normal(0, 0.08)), 0.3, 12), 2);
        var wbc = acuteReason == "neutropenic-fever" ? Math.Round(Math.Clamp(_rng.Normal(0.9, 0.3), 0.1, 2), 1)
            : Math.Round(Math.Clamp(_rng.Normal(7.5 + (1.8 * s) + (acuteReason is "sepsis" or "pneumonia" ? 4 : 0), 1.5), 0.5, 40), 1);
        var albumin = Math.Round(Math.Clamp(_rng.Normal(3.9 - (0.3 * s) - (Has(Catalog.Cirrhosis, at) ? 0.7 : 0) - (0.4 * cancer), 0.3), 1.2, 5.2), 1);

        var gramsPerLitre = _rng.Chance(0.1);
        var bloodSodium = _rng.Chance(0.15);
        var creatinineSpelling = _rng.Uniform();
        if (bloodCount)
        {
            if (gramsPerLitre)
            {
                Record(encounterId, at, Loinc.HemoglobinMassBlood, "Hemoglobin [Mass/volume] in Blood", hemoglobin * 10, "g/L");
            }
            else
            {
                Record(encounterId, at, Loinc.HemoglobinMassBlood, "Hemoglobin [Mass/volume] in Blood", hemoglobin, "g/dL");
            }

            Record(encounterId, at, Loinc.LeukocytesBlood, "Leukocytes [#/volume] in Blood by Automated count", wbc, "10*3/uL");
        }

        if (metabolicPanel)
        {
            if (bloodSodium)
            {
                Record(encounterId, at, Loinc.SodiumBlood, "Sodium [Moles/volume] in Blood", sodium, "mmol/L");
            }
            else
            {
                Record(encounterId, at, Loinc.SodiumSerumPlasma, "Sodium [Moles/volume] in Serum or Plasma", sodium, "mmol/L");
            }

            Record(encounterId, at, Loinc.PotassiumSerumPlasma, "Potassium [Moles/volume] in Serum or Plasma", potassium, "mmol/L");
            if (creatinineSpelling < 0.1)
            {
                Record(encounterId, at, Loinc.CreatinineBlood, "Creatinine [Mass/volume] in Blood", creatinine, "mg/dL");
            }
            else if (creatinineSpelling < 0.2)
            {
                Record(encounterId, at, Loinc.CreatinineSerumPlasma, "Creatinine [Moles/volume] in Serum or Plasma", Math.Round(creatinine * 88.42), "umol/L");
            }
            else
            {
                Record(encounterId, at, Loinc.CreatinineSerumPlasma, "Creatinine [Mass/volume] in Serum or Plasma", creatinine, "mg/dL");
            }
        }

        if (albuminDrawn)
        {
            Record(encounterId, at, Loinc.AlbuminSerumPlasma, "Albumin [Mass/volume] in Serum or Plasma", albumin, "g/dL");
        }
        return new Panel(hemoglobin, sodium, albumin, creatinine);
    }

    private void Record(string encounterId, DateTime at, string loinc, string display, double value, string unit) =>
        _fhir.Observation(_rng.Uuid(), encounterId, at, SyntheticFhirWriter.Laboratory, (loinc, display), value, unit);
}
