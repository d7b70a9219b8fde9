using System.Globalization;
using System.Text;
using ClinicalCds.Domain.Clinical;
using ClinicalCds.Domain.Scores;
using static ClinicalCds.Synthetic.NdjsonSink;
using static ClinicalCds.Domain.Models.Logistic;

namespace ClinicalCds.Synthetic;

/// <summary>
/// Simulates one patient's care, day by day, over the history window — every clinical event and every random draw —
/// and hands each event to <see cref="SyntheticFhirWriter"/>, which writes it as a FHIR resource.
/// The ground-truth risk models are documented in docs/synthetic-population.md; keep the two in step.
/// </summary>
internal sealed class PatientSimulator
{
    private static readonly TimeSpan Step = TimeSpan.FromHours(8);

    private readonly SyntheticOptions _options;
    private readonly Rng _rng;
    private readonly SyntheticFhirWriter _fhir;
    private readonly StringBuilder _readmissionTruth;
    private readonly StringBuilder _complicationTruth;

    private readonly string _patientId;
    private readonly int _index;
    private readonly bool _female;
    private readonly DateTime _birth;
    private readonly double _frailty;

    // What no record holds, drawn from a stream of the patient's own apart from the one that writes the record (so the
    // record's draws do not move when these change): limited social support at home, and per discharge whether an
    // adverse event follows it. The readmission truth weighs both; no feature can see either.
    private readonly Rng _unseen;
    private readonly bool _limitedSupport;
    private readonly CareAfterDischarge _care;
    private readonly VitalSignCharting _vitals;
    private readonly LaboratoryWork _labs;
    private readonly StayChoices _choices;
    private readonly List<(Diagnosis Diagnosis, DateTime Onset)> _chronic = [];
    private readonly List<(Medication Medication, DateTime Authored)> _medications = [];
    private readonly List<DateTime> _admissions = [];
    private readonly List<DateTime> _edVisits = [];
    private DateTime? _deceasedAt;
    private int _procedures;

    /// <summary>After <see cref="Run"/>: the patient is in hospital at the as-of instant.</summary>
    public bool InHospitalAtEnd { get; private set; }

    /// <summary>After <see cref="Run"/>: the end of the patient's last hospital stay left alive, if any.</summary>
    public DateTime? LastDischarge { get; private set; }

    /// <summary>After <see cref="Run"/>: the patient is alive and in hospital at the as-of instant or was discharged within <paramref name="days"/> before it.</summary>
    public bool InRecentCare(int days) => _deceasedAt is null && (InHospitalAtEnd || LastDischarge >= _options.AsOf.AddDays(-days));

    public PatientSimulator(SyntheticOptions options, int index, NdjsonSink sink, StringBuilder readmissionTruth, StringBuilder complicationTruth)
    {
        _options = options;
        _index = index;
        _rng = new Rng(options.Seed, (ulong)index + 1);
        _readmissionTruth = readmissionTruth;
        _complicationTruth = complicationTruth;
        _patientId = _rng.Uuid();
        _fhir = new SyntheticFhirWriter(sink, _patientId, options.AsOf);
        _female = _rng.Chance(0.52);
        var age = Math.Clamp(_rng.Normal(64, 17), 18, 99);
        _birth = options.AsOf.AddDays(-age * 365.25).Date;
        _frailty = _rng.Normal();
        _unseen = new Rng(options.Seed, ((ulong)index + 1) | (1UL << 63));
        _limitedSupport = _unseen.Chance(ReadmissionTruth.LimitedSupportPrevalence);
        _care = new CareAfterDischarge(options, index, _fhir);
        _vitals = new VitalSignCharting(_rng, _fhir, Has);
        _labs = new LaboratoryWork(_rng, _fhir, _female, _frailty, Has);
        _choices = new StayChoices(_rng, options.AsOf, Has, WriteProcedure);
    }

    /// <summary>
    /// The deterioration hazard per 8-hour step, logit = intercept + slope × severity (+ age, heart failure or COPD),
    /// calibrated so that NEWS2 discriminates and alerts as published for real wards (docs/synthetic-population.md).
    /// </summary>
    internal const double HazardIntercept = -7.8, HazardSlope = 1.5;

    private DateTime WindowStart => _options.AsOf.AddYears(-_options.HistoryYears);

    private double AgeAt(DateTime t) => (t - _birth).TotalDays / 365.25;

    private bool Has(Diagnosis d, DateTime t) => _chronic.Any(c => c.Diagnosis == d && c.Onset <= t);

    private int ChronicCount(DateTime t) => _chronic.Count(c => c.Onset <= t);

    public void Run()
    {
        AssignChronicConditions();
        var day = WindowStart;
        (DateTime Arrival, string EncounterId)? readmission = null;
        var blockedUntil = DateTime.MinValue;
        while (day < _options.AsOf && _deceasedAt is null)
        {
            var n = ChronicCount(day);
            var age = AgeAt(day);
            StayOutcome? stay = null;
            if (readmission is { } due && due.Arrival.Date == day)
            {
                readmission = null;
                stay = Admission(due.Arrival, emergent: true, due.EncounterId);
            }
            else if (day >= blockedUntil)
            {
                var u = _rng.Uniform();
                var emergent = Math.Exp(-1.9 + (0.55 * _frailty) + (0.15 * n) + (0.015 * (age - 65))) / 365;
                var elective = 0.06 / 365;
                if (u < emergent)
                {
                    stay = Admission(day.AddHours(_rng.Uniform(0, 24)), emergent: true);
                }
                else if (u < emergent + elective)
                {
                    stay = Admission(day.AddHours(_rng.Uniform(7, 10)), emergent: false);
                }
            }

            if (stay is { } outcome)
            {
                if (outcome.Left is not { } left)
                {
                    // In the ED awaiting admission at the as-of instant is not yet an inpatient stay.
                    InHospitalAtEnd = _deceasedAt is null && outcome.Admitted;
                    break; // still in hospital at the as-of instant
                }

                LastDischarge = left;

                if (_deceasedAt is null)
                {
                    // Only the drawn readmission may happen in the 30 days after a discharge (see the docs).
                    blockedUntil = left.Date.AddDays(31);
                    readmission = outcome.Readmission;
                }

                day = left.Date.AddDays(1);
                continue;
            }

            var ed = Math.Exp(-1.3 + (0.45 * _frailty) + (0.12 * n)) / 365;
            var ambulatory = (2.0 + (0.5 * n)) / 365;
            var v = _rng.Uniform();
            if (v < ed)
            {
                EmergencyVisit(day.AddHours(_rng.Uniform(0, 24)), admitted: false);
            }
            else if (v < ed + ambulatory)
            {
                AmbulatoryVisit(day.AddHours(_rng.Uniform(8, 17)));
            }

            day = day.AddDays(1);
        }

        WritePatient();
    }

    /// <summary>
    /// How a stay ended: <see cref="Left"/> is null while the patient is still admitted at the as-of instant;
    /// <see cref="Readmission"/> is the readmission drawn at a discharge alive (its arrival and encounter id).
    /// </summary>
    /// <summary>How a stay ended: <see cref="Left"/> null while it goes on at the as-of instant; <see cref="Admitted"/> false when the as-of instant came while the patient was still in the ED before admission.</summary>
    private readonly record struct StayOutcome(DateTime? Left, (DateTime Arrival, string EncounterId)? Readmission, bool Admitted = true);

    private void AssignChronicConditions()
    {
        var ageNow = AgeAt(_options.AsOf);
        foreach (var (diagnosis, intercept, ageEffect, frailtyEffect, medications) in Catalog.Chronic)
        {
            var p = Sigmoid(intercept + (ageEffect * (ageNow - 65) / 10) + (frailtyEffect * _frailty));
            if (!_rng.Chance(p))
            {
                continue;
            }

            var earliest = _birth.AddYears(18) > WindowStart.AddYears(-10) ? _birth.AddYears(18) : WindowStart.AddYears(-10);
            var onset = earliest.AddDays(_rng.Uniform(0, Math.Max(1, (_options.AsOf - earliest).TotalDays))).Date.AddHours(10);
            _chronic.Add((diagnosis, onset));
            WriteCondition(diagnosis, onset, encounterId: null, category: "problem-list-item", withSnomed: _rng.Chance(0.4));
            foreach (var medication in medications)
            {
                _medications.Add((medication, onset));
                WriteMedicationRequest(medication, onset, null);
            }
        }

        // Complications of what the patient already has: diabetes may progress to kidney disease, cancer may spread.
        if (_chronic.FirstOrDefault(c => c.Diagnosis == Catalog.Diabetes) is { Diagnosis: not null } diabetes && _rng.Chance(0.2))
        {
            var onset = diabetes.Onset.AddDays(_rng.Uniform(200, 2000));
            if (onset < _options.AsOf)
            {
                _chronic.Add((Catalog.DiabeticKidneyDisease, onset));
                WriteCondition(Catalog.DiabeticKidneyDisease, onset, null, "problem-list-item", _rng.Chance(0.4));
            }
        }

        if (_chronic.FirstOrDefault(c => c.Diagnosis == Catalog.LungCancer) is { Diagnosis: not null } cancer && _rng.Chance(0.35))
        {
            var onset = cancer.Onset.AddDays(_rng.Uniform(60, 900));
            if (onset < _options.AsOf)
            {
                _chronic.Add((Catalog.MetastaticCancer, onset));
                WriteCondition(Catalog.MetastaticCancer, onset, null, "problem-list-item", _rng.Chance(0.4));
            }
        }
    }

    // ---------------------------------------------------------------- encounters

    private void EmergencyVisit(DateTime start, bool admitted)
    {
        var id = _rng.Uuid();
        var end = start.AddHours(_rng.Uniform(2, 6));
        _edVisits.Add(start);
        var severity = _rng.Normal(-0.3, 0.5) + (0.3 * _frailty) + (admitted ? 0.6 : 0);
        _fhir.Encounter(id, "EMER", "50849002", "Emergency room admission", start, end, priority: "EM", admitSource: null,
            // An ED visit that ends in admission has no discharge disposition in HL7's value set (its "hosp" is Hospice):
            // it is not recorded, and the stay that follows says where the patient came from (admitSource "emd").
            disposition: admitted ? null : "home", service: null, locations: [("ed", "Emergency department", start, end)]);
        _vitals.Round(id, start.AddMinutes(15), severity, Presentation.Draw(_rng, cardiac: false));
        if (admitted || _rng.Chance(0.7))
        {
            _labs.Draw(id, start.AddMinutes(40), severity, acuteReason: null, admissionDay: 0);
        }
    }

    private void AmbulatoryVisit(DateTime start)
    {
        var id = _rng.Uuid();
        var end = start.AddMinutes(30);
        _fhir.Encounter(id, "AMB", "185349003", "Encounter for check up", start, end, priority: "R", admitSource: null, disposition: null, service: null, locations: []);
        var severity = -1.0 + (0.3 * _frailty);
        _vitals.BloodPressure(id, start.AddMinutes(5), severity);
        _vitals.Record(id, start.AddMinutes(5), Loinc.HeartRate, "Heart rate", Math.Round(Math.Clamp(_rng.Normal(76 + (10 * severity), 9), 40, 150)), "/min");
        if (_rng.Chance(0.3))
        {
            _labs.Draw(id, start.AddMinutes(10), severity, acuteReason: null, admissionDay: 0);
        }
    }

    /// <summary>An inpatient stay, preceded by its ED visit when emergent.</summary>
    private StayOutcome Admission(DateTime arrival, bool emergent, string? encounterId = null)
    {
        var start = arrival;
        var edVisitsBefore = _edVisits.Count(t => t >= arrival.AddDays(-182) && t < arrival);
        if (emergent)
        {
            EmergencyVisit(arrival, admitted: true);
            start = arrival.AddHours(_rng.Uniform(3, 7));
        }

        if (start >= _options.AsOf)
        {
            return new StayOutcome(null, null, Admitted: false);
        }

        var age = AgeAt(start);
        var priorAdmissions = _admissions.Count(t => t >= start.AddDays(-365) && t < start);
        var proceduresBefore = _procedures;
        _admissions.Add(start);
        var service = _choices.Service(emergent, start);
        var reason = _choices.Reason(service);
        var acuity = (0.8 * _rng.Normal()) + (0.35 * _frailty) + (emergent ? 0.3 : -0.4) + (0.015 * (age - 65)) + (service.Code == "oncology" ? 0.3 : 0);
        var plannedHours = Math.Clamp(Math.Exp(Math.Log(72) + (0.35 * acuity) + (0.5 * _rng.Normal())) + (emergent ? 0 : 24), 20, 30 * 24);
        var plannedEnd = start.AddHours(plannedHours);
        var drift = _rng.Normal(-0.12, 0.25);
        var id = encounterId ?? _rng.Uuid();
        WriteCondition(reason, start, id, "encounter-diagnosis", _rng.Chance(0.4));

        // Deterioration: one hazard per 8-hour step, fixed by the stay's acuity and drift (see the docs); the vital signs
        // follow the same severity through this stay's presentation (Physiology.cs).
        var presentation = Presentation.Draw(_rng, cardiac: service.Code == "cardiology");
        var steps = new List<(DateTime Time, double Severity, double Hazard)>();
        for (var t = start; t < plannedEnd; t += Step)
        {
            var s = acuity + (drift * (t - start).TotalHours / 24);
            steps.Add((t, s, Sigmoid(HazardIntercept + (HazardSlope * s) + (0.015 * (age - 65)) + (Has(Catalog.HeartFailure, t) || Has(Catalog.Copd, t) ? 0.3 : 0))));
        }

        (DateTime Time, string Type)? deterioration = null;
        for (var k = 0; k < steps.Count && deterioration is null; k++)
        {
            if (_rng.Chance(steps[k].Hazard))
            {
                var r = _rng.Uniform();
                var type = r < 0.6 ? "icu-transfer" : r < 0.75 ? "cardiac-arrest" : "death";
                deterioration = (steps[k].Time + TimeSpan.FromHours(_rng.Uniform(0, 8)), type);
            }
        }

        var observedUntil = _options.AsOf;
        var locations = new List<(string, string, DateTime, DateTime?)>();
        LaboratoryWork.Panel? lastLabs = null;
        News2Input? lastVitals = null;
        var scoredUntil = deterioration?.Time ?? plannedEnd;

        for (var k = 0; k < steps.Count && steps[k].Time < scoredUntil && steps[k].Time < observedUntil; k++)
        {
            var (time, severity, _) = steps[k];
            lastVitals = _vitals.Round(id, time, severity, presentation);
            if (k % 3 == 0)
            {
                lastLabs = _labs.Draw(id, time.AddMinutes(30), severity, reason.Key, k / 3);
            }

            var survival = 1.0;
            for (var j = k; j < Math.Min(steps.Count, k + 6); j++)
            {
                survival *= 1 - steps[j].Hazard;
            }

            var windowEnd = time.AddHours(48);
            string label = deterioration is { } d && d.Time <= windowEnd && d.Time < observedUntil ? "1"
                : windowEnd <= observedUntil ? "0" : string.Empty;
            _complicationTruth.Append(CultureInfo.InvariantCulture,
                $"{_patientId},{id},{Instant(time)},{Fmt(1 - survival)},{label},{(label == "1" ? deterioration!.Value.Type : string.Empty)},{(label == "1" ? Instant(deterioration!.Value.Time) : string.Empty)},{News2.Score(lastVitals).Total}\n");
        }

        var wardName = $"{service.Display} ward";
        var end = plannedEnd;
        string disposition;
        if (deterioration is { } event_ && event_.Time < observedUntil)
        {
            locations.Add(("ward-" + service.Code, wardName, start, event_.Time));
            var dies = event_.Type == "death" || (event_.Type == "cardiac-arrest" && _rng.Chance(0.5));
            if (event_.Type == "cardiac-arrest")
            {
                WriteCondition(Catalog.CardiacArrest, event_.Time, id, "encounter-diagnosis", withSnomed: true);
                WriteProcedure(id, Catalog.Resuscitation, event_.Time, event_.Time.AddMinutes(_rng.Uniform(5, 40)));
            }

            if (dies && event_.Type == "death")
            {
                end = event_.Time;
            }
            else
            {
                var icuStart = event_.Time.AddMinutes(_rng.Uniform(20, 90));
                var icuEnd = icuStart.AddHours(_rng.Uniform(36, 144));
                locations.Add(("icu", "Medical intensive care unit", icuStart, icuEnd));
                if (_rng.Chance(0.3))
                {
                    WriteProcedure(id, Catalog.Ventilation, icuStart.AddHours(1), icuStart.AddHours(_rng.Uniform(12, 72)));
                }

                dies |= _rng.Chance(0.1);
                if (dies)
                {
                    end = icuStart.AddHours(_rng.Uniform(1, (icuEnd - icuStart).TotalHours));
                    locations[^1] = ("icu", "Medical intensive care unit", icuStart, end);
                }
                else
                {
                    end = icuEnd.AddHours(_rng.Uniform(24, 72));
                    locations.Add(("step-down", "Step-down unit", icuEnd, end));
                }
            }

            if (dies)
            {
                _deceasedAt = end < observedUntil ? end : null;
            }
        }
        else
        {
            locations.Add(("ward-" + service.Code, wardName, start, end));
        }

        // The last laboratory values of the stay (a normal panel when none was drawn), for procedures and ground truth.
        var (hemoglobin, sodium, albumin, creatinine) = lastLabs ?? new LaboratoryWork.Panel(13, 140, 4, 1);
        _choices.Procedures(id, service, start, hemoglobin, emergent);
        var stillAdmitted = end >= observedUntil;
        var died = _deceasedAt is not null;
        disposition = died ? "exp" : _choices.Disposition(age, acuity, service);
        var clippedLocations = locations.Where(l => l.Item3 < observedUntil)
            .Select(l => (l.Item1, l.Item2, l.Item3, l.Item4 is { } e && e < observedUntil ? l.Item4 : null))
            .ToList();
        _fhir.Encounter(id, "IMP", emergent ? "183452005" : "32485007", emergent ? "Emergency hospital admission" : "Hospital admission",
            start, stillAdmitted ? null : end, emergent ? "EM" : "EL", emergent ? "emd" : "outp", stillAdmitted ? null : disposition,
            service, clippedLocations);
        if (stillAdmitted)
        {
            return new StayOutcome(null, null);
        }

        if (died)
        {
            return new StayOutcome(end, null);
        }

        foreach (var medication in Enumerable.Range(0, _rng.Int(0, 3)).Select(_ => _rng.Pick(Catalog.DischargeMedications)).Distinct())
        {
            _medications.Add((medication, end));
            WriteMedicationRequest(medication, end, id);
        }

        // Ground truth of 30-day unplanned readmission at discharge (docs/synthetic-population.md, issue 37): what the
        // record holds with effect sizes of the order the literature reports once LACE is known, and what no record
        // holds — frailty, support at home, what happens after discharge — with the weight the literature gives it.
        var losDays = (end - start).TotalDays;
        var charlson = Catalog.CharlsonIndex(_chronic.Where(c => c.Onset <= end).Select(c => c.Diagnosis));
        var lace = Lace.Score(new LaceInput(
            (int)Math.Floor(losDays), emergent, [.. _chronic.Where(c => c.Onset <= end).Select(c => c.Diagnosis.Key)], Math.Min(edVisitsBefore, 10))).Total;
        var procedure = _procedures > proceduresBefore;
        var hospital = Hospital.Score(new HospitalInput(
            hemoglobin, service.Code == "oncology", sodium, procedure, emergent, priorAdmissions, (int)Math.Floor(losDays))).Total;
        var activeMedications = _medications.Count(m => m.Authored <= end && m.Authored > end.AddDays(-365));
        var dischargeNews2 = lastVitals is { } vitals ? News2.Score(vitals).Total : 0;
        var logit = ReadmissionTruth.ReadmissionIntercept
            + (0.10 * lace)
            + (0.15 * Math.Min(priorAdmissions, 5))
            + (hemoglobin < 10 ? 0.45 : hemoglobin < 12 ? 0.25 : 0)
            + (sodium < 135 ? 0.35 : 0)
            + (service.Code == "oncology" ? 0.5 : 0)
            + (procedure ? 0.2 : 0)
            + (albumin < 3.0 ? 0.4 : 0)
            + (creatinine >= 2.0 ? 0.3 : 0)
            + (Has(Catalog.HeartFailure, end) ? 0.3 : 0)
            + (disposition switch { "aadvice" => 0.7, "snf" => 0.25, _ => 0 })
            + (0.04 * Math.Min(activeMedications, 12))
            + (AgeAt(end) >= 80 && charlson >= 3 ? 0.25 : 0)
            + (0.12 * Math.Min(dischargeNews2, 6))
            + (ReadmissionTruth.FrailtyEffect * _frailty)
            + (_limitedSupport ? ReadmissionTruth.LimitedSupportEffect : 0);
        // The true probability at discharge averages over the adverse event to come; the readmission is drawn given it.
        // Neither reaches the ceiling: even the sickest group of patients is not all readmitted.
        var probability = ReadmissionTruth.Probability(logit);
        var adverseEvent = _unseen.Chance(ReadmissionTruth.PostDischargeEventRate);
        // The readmission arrives on day 1..29 (early days likelier) at the hour of discharge, so its admission
        // starts within 30 days; its encounter id is drawn now so the ground truth can name it.
        (DateTime Arrival, string EncounterId)? readmission = _rng.Chance(ReadmissionTruth.Given(logit, adverseEvent))
            ? (end.AddDays(1 + (int)(29 * Math.Pow(_rng.Uniform(), 1.7))), _rng.Uuid())
            : null;
        if (disposition == "home")
        {
            _care.AtDischarge(id, end, readmission?.Arrival);
        }

        var known = end.AddDays(30) <= observedUntil;
        var readmitted = !known ? string.Empty : readmission is null ? "0" : "1";
        _readmissionTruth.Append(CultureInfo.InvariantCulture,
            $"{_patientId},{id},{Instant(end)},{Fmt(probability)},{readmitted},{(readmitted == "1" ? readmission!.Value.EncounterId : string.Empty)},{lace},{hospital}\n");
        return new StayOutcome(end, readmission);
    }

    // ---------------------------------------------------------------- other resources

    private void WritePatient()
    {
        // The draws in the order the record has always been written: race, family name, given name.
        var race = Catalog.PickRace(_rng);
        var family = _rng.Pick(Catalog.FamilyNames);
        var given = _rng.Pick(_female ? Catalog.GivenNamesFemale : Catalog.GivenNamesMale);
        _fhir.Patient($"MRN{_options.Seed % 1000:D3}{_index + 1:D7}", race, family, given, _female, _birth, _deceasedAt, _care.PrimaryCare);
    }

    // Each resource's id is drawn after its other arguments, as when the simulator wrote the JSON itself (same seed, same files).
    private void WriteCondition(Diagnosis diagnosis, DateTime onset, string? encounterId, string category, bool withSnomed) =>
        _fhir.Condition(_rng.Uuid(), diagnosis, onset, encounterId, category, withSnomed);

    private void WriteProcedure(string encounterId, CodedProcedure procedure, DateTime start, DateTime end)
    {
        _procedures++;
        _fhir.Procedure(_rng.Uuid(), encounterId, procedure, start, end);
    }

    private void WriteMedicationRequest(Medication medication, DateTime authored, string? encounterId) =>
        _fhir.MedicationRequest(_rng.Uuid(), medication, authored, encounterId);

    private static string Fmt(double p) => p.ToString("0.######", CultureInfo.InvariantCulture);
}
