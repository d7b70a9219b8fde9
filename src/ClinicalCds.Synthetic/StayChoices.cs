using ClinicalCds.Domain.Clinical;
using static ClinicalCds.Domain.Models.Logistic;

namespace ClinicalCds.Synthetic;

/// <summary>
/// The choices that shape a stay — its service, its reason for admission, its procedures and where the patient goes at
/// discharge — drawn from the patient's record stream in the order the simulator always drew them (same seed, same files).
/// </summary>
internal sealed class StayChoices(Rng rng, DateTime asOf, Func<Diagnosis, DateTime, bool> has, Action<string, CodedProcedure, DateTime, DateTime> write)
{
    private readonly Rng _rng = rng;
    private readonly DateTime _asOf = asOf;
    private readonly Action<string, CodedProcedure, DateTime, DateTime> _write = write;

    private bool Has(Diagnosis diagnosis, DateTime at) => has(diagnosis, at);

    public (string Code, string Display) Service(bool emergent, DateTime t)
    {
        if (!emergent)
        {
            return _rng.Chance(0.5) ? ("orthopedics", "Orthopedics") : ("surgery", "General surgery");
        }

        if ((Has(Catalog.LungCancer, t) || Has(Catalog.MetastaticCancer, t)) && _rng.Chance(0.6))
        {
            return ("oncology", "Oncology");
        }

        if ((Has(Catalog.HeartFailure, t) || Has(Catalog.MyocardialInfarction, t) || Has(Catalog.AtrialFibrillation, t)) && _rng.Chance(0.5))
        {
            return ("cardiology", "Cardiology");
        }

        if (Has(Catalog.Copd, t) && _rng.Chance(0.45))
        {
            return ("pulmonology", "Pulmonology");
        }

        return _rng.Chance(0.1) ? ("surgery", "General surgery") : ("medicine", "General medicine");
    }

    public Diagnosis Reason((string Code, string Display) service) => service.Code switch
    {
        "oncology" => _rng.Pick(Catalog.AdmissionReasonsOncology),
        "cardiology" => _rng.Pick(Catalog.AdmissionReasonsCardiology),
        "pulmonology" => _rng.Pick(Catalog.AdmissionReasonsPulmonology),
        "medicine" => _rng.Pick(Catalog.AdmissionReasonsMedicine),
        _ => new Diagnosis("surgical", "Z48.89", "183444007", "Admission for surgical procedure", 0),
    };

    public string Disposition(double age, double acuity, (string Code, string Display) service)
    {
        var u = _rng.Uniform();
        if (u < 0.02)
        {
            return "aadvice";
        }

        if (u < 0.02 + Sigmoid(-2.5 + (0.06 * (age - 65)) + (0.5 * acuity)))
        {
            return "snf";
        }

        return service.Code == "orthopedics" && _rng.Chance(0.3) ? "rehab" : "home";
    }

    public void Procedures(string encounterId, (string Code, string Display) service, DateTime start, double hemoglobin, bool emergent)
    {
        void Do(CodedProcedure procedure, double hoursAfterStart, double minutes)
        {
            var at = start.AddHours(hoursAfterStart);
            if (at < _asOf)
            {
                _write(encounterId, procedure, at, at.AddMinutes(minutes));
            }
        }

        if (!emergent)
        {
            Do(_rng.Pick(Catalog.ElectiveProcedures), 3, _rng.Uniform(60, 240));
        }

        if (service.Code == "cardiology" && _rng.Chance(0.5))
        {
            Do(Catalog.Echocardiography, _rng.Uniform(4, 30), 40);
        }

        if (hemoglobin < 8)
        {
            Do(Catalog.Transfusion, _rng.Uniform(2, 20), 120);
        }

        if (Has(Catalog.ChronicKidneyDisease, start) && _rng.Chance(0.3))
        {
            Do(Catalog.Hemodialysis, _rng.Uniform(6, 30), 240);
        }

        if (service.Code == "oncology" && _rng.Chance(0.3))
        {
            Do(Catalog.Chemotherapy, _rng.Uniform(20, 48), 180);
        }
    }
}
