using ClinicalCds.Domain.Clinical;

namespace ClinicalCds.Synthetic;

/// <summary>A coded diagnosis: ICD-10-CM (with its dot) and the SNOMED CT concept for the same condition.</summary>
public sealed record Diagnosis(string Key, string Icd10Cm, string Snomed, string Display, int CharlsonWeight);

public sealed record Medication(string RxNorm, string Display);

public sealed record CodedProcedure(string Snomed, string Display);

/// <summary>The clinical vocabulary of the synthetic population: real ICD-10-CM, SNOMED CT, LOINC and RxNorm codes.</summary>
public static class Catalog
{
    public const string ServiceSystem = "http://clinicalcds.org/fhir/CodeSystem/hospital-service";
    public const string IdentifierSystem = "http://clinicalcds.org/fhir/synthetic/mrn";

    // Chronic conditions. CharlsonWeight is the original Charlson (1987) weight of the Quan 2005 category the
    // ICD-10 code falls in (0 = not a Charlson condition); the generator's ground truth uses it.
    public static readonly Diagnosis MyocardialInfarction = new("mi", "I25.2", "399211009", "History of myocardial infarction", 1);
    public static readonly Diagnosis HeartFailure = new("chf", "I50.9", "88805009", "Chronic congestive heart failure", 1);
    public static readonly Diagnosis PeripheralVascular = new("pvd", "I73.9", "400047006", "Peripheral vascular disease", 1);
    public static readonly Diagnosis Stroke = new("cevd", "I63.9", "230690007", "Cerebrovascular accident", 1);
    public static readonly Diagnosis Dementia = new("dementia", "F03.90", "52448006", "Dementia", 1);
    public static readonly Diagnosis Copd = new("cpd", "J44.9", "13645005", "Chronic obstructive lung disease", 1);
    public static readonly Diagnosis RheumatoidArthritis = new("rheumd", "M06.9", "69896004", "Rheumatoid arthritis", 1);
    public static readonly Diagnosis PepticUlcer = new("pud", "K27.9", "13200003", "Peptic ulcer", 1);
    public static readonly Diagnosis Cirrhosis = new("mld", "K74.60", "19943007", "Cirrhosis of liver", 1);
    public static readonly Diagnosis Diabetes = new("diab", "E11.9", "44054006", "Diabetes mellitus type 2", 1);
    public static readonly Diagnosis DiabeticKidneyDisease = new("diabwc", "E11.22", "127013003", "Diabetic renal disease", 2);
    public static readonly Diagnosis Hemiplegia = new("hp", "G81.90", "50582007", "Hemiplegia", 2);
    public static readonly Diagnosis ChronicKidneyDisease = new("rend", "N18.4", "431857002", "Chronic kidney disease stage 4", 2);
    public static readonly Diagnosis LungCancer = new("canc", "C34.90", "254637007", "Non-small cell lung cancer", 2);
    public static readonly Diagnosis MetastaticCancer = new("metacanc", "C78.00", "94391008", "Secondary malignant neoplasm of lung", 6);
    public static readonly Diagnosis Hypertension = new("htn", "I10", "38341003", "Hypertension", 0);
    public static readonly Diagnosis AtrialFibrillation = new("afib", "I48.91", "49436004", "Atrial fibrillation", 0);
    public static readonly Diagnosis Depression = new("depre", "F32.9", "35489007", "Depressive disorder", 0);
    public static readonly Diagnosis Obesity = new("obes", "E66.9", "414916001", "Obesity", 0);

    /// <summary>Chronic conditions with their prevalence model: logit = Intercept + Age * (age-65)/10 + Frailty * frailty.</summary>
    public static readonly (Diagnosis Diagnosis, double Intercept, double Age, double Frailty, Medication[] Medications)[] Chronic =
    [
        (Hypertension, -0.2, 0.5, 0.3, [new("197361", "Amlodipine 5 MG Oral Tablet")]),
        (Diabetes, -1.5, 0.2, 0.4, [new("860975", "24 HR Metformin hydrochloride 500 MG Extended Release Oral Tablet")]),
        (HeartFailure, -2.6, 0.6, 0.7, [new("310429", "Furosemide 20 MG Oral Tablet"), new("314076", "Lisinopril 10 MG Oral Tablet")]),
        (Copd, -2.4, 0.3, 0.6, [new("896209", "Tiotropium 18 MCG Inhalation Powder")]),
        (AtrialFibrillation, -2.6, 0.6, 0.4, [new("1364445", "Apixaban 5 MG Oral Tablet")]),
        (MyocardialInfarction, -2.9, 0.4, 0.5, [new("243670", "Aspirin 81 MG Oral Tablet"), new("259255", "Atorvastatin 80 MG Oral Tablet")]),
        (ChronicKidneyDisease, -3.0, 0.5, 0.6, []),
        (Stroke, -3.3, 0.5, 0.4, [new("309362", "Clopidogrel 75 MG Oral Tablet")]),
        (PeripheralVascular, -3.4, 0.4, 0.4, []),
        (Dementia, -4.2, 1.0, 0.5, [new("997223", "Donepezil hydrochloride 10 MG Oral Tablet")]),
        (Depression, -2.0, -0.1, 0.4, [new("312940", "Sertraline 50 MG Oral Tablet")]),
        (Obesity, -1.6, -0.1, 0.3, []),
        (RheumatoidArthritis, -4.0, 0.1, 0.3, [new("105585", "Methotrexate 2.5 MG Oral Tablet")]),
        (PepticUlcer, -4.0, 0.1, 0.3, [new("311989", "Omeprazole 20 MG Delayed Release Oral Capsule")]),
        (Cirrhosis, -4.3, 0.0, 0.5, []),
        (LungCancer, -3.8, 0.4, 0.5, []),
        (Hemiplegia, -5.0, 0.2, 0.4, []),
    ];

    public static readonly Diagnosis[] AdmissionReasonsMedicine =
    [
        new("pneumonia", "J18.9", "233604007", "Pneumonia", 0),
        new("sepsis", "A41.9", "91302008", "Sepsis", 0),
        new("uti", "N39.0", "68566005", "Urinary tract infectious disease", 0),
        new("aki", "N17.9", "14669001", "Acute renal failure syndrome", 0),
        new("cellulitis", "L03.90", "128045006", "Cellulitis", 0),
    ];

    public static readonly Diagnosis[] AdmissionReasonsCardiology =
    [
        new("chest-pain", "R07.9", "29857009", "Chest pain", 0),
        new("ahf", "I50.21", "56675007", "Acute heart failure", 0),
        new("afib-rvr", "I48.91", "49436004", "Atrial fibrillation", 0),
    ];

    public static readonly Diagnosis[] AdmissionReasonsPulmonology =
    [
        new("copd-exac", "J44.1", "195951007", "Acute exacerbation of chronic obstructive airways disease", 1),
        new("pneumonia", "J18.9", "233604007", "Pneumonia", 0),
    ];

    public static readonly Diagnosis[] AdmissionReasonsOncology =
    [
        new("neutropenic-fever", "D70.9", "409089005", "Febrile neutropenia", 0),
        new("cancer-pain", "G89.3", "1137593002", "Neoplasm related pain", 0),
    ];

    public static readonly Diagnosis CardiacArrest = new("arrest", "I46.9", "410429000", "Cardiac arrest", 0);

    public static readonly CodedProcedure[] ElectiveProcedures =
    [
        new("609588000", "Total knee replacement"),
        new("52734007", "Total hip replacement"),
        new("232717009", "Coronary artery bypass grafting"),
        new("23968004", "Colectomy"),
        new("80146002", "Appendectomy"),
    ];

    public static readonly CodedProcedure Echocardiography = new("40701008", "Echocardiography");
    public static readonly CodedProcedure Transfusion = new("116859006", "Transfusion of blood product");
    public static readonly CodedProcedure Hemodialysis = new("302497006", "Hemodialysis");
    public static readonly CodedProcedure Chemotherapy = new("367336001", "Chemotherapy");
    public static readonly CodedProcedure Resuscitation = new("89666000", "Cardiopulmonary resuscitation");
    public static readonly CodedProcedure Ventilation = new("40617009", "Artificial respiration");

    public static readonly Medication[] DischargeMedications =
    [
        new("308182", "Amoxicillin 250 MG Oral Capsule"),
        new("313782", "Acetaminophen 325 MG Oral Tablet"),
        new("1049221", "Oxycodone hydrochloride 5 MG Oral Tablet"),
        new("198211", "Simvastatin 40 MG Oral Tablet"),
        new("311036", "Insulin lispro 100 UNT/ML Injectable Solution"),
    ];

    /// <summary>ACVPU level of consciousness (LOINC 67775-7 answer), as SNOMED CT concepts.</summary>
    public static readonly (string Code, string Display)[] Consciousness =
    [
        ("248234008", "Mentally alert"),
        ("130987000", "Acute confusion"),
        ("300202002", "Responds to voice"),
        ("450847001", "Responds to pain"),
        ("422768004", "Unresponsive"),
    ];

    public static readonly string[] GivenNamesFemale = ["Maria", "Anna", "Linda", "Grace", "Olivia", "Sofia", "Helen", "Ruth", "Emma", "Nora", "Ada", "Irene"];
    public static readonly string[] GivenNamesMale = ["James", "John", "Robert", "Luis", "Ahmed", "Chen", "Peter", "Samuel", "David", "Omar", "Hugo", "Ivan"];
    public static readonly string[] FamilyNames = ["Smith", "Garcia", "Nguyen", "Okafor", "Muller", "Rossi", "Kowalski", "Haddad", "Tanaka", "Johnson", "Silva", "Larsen", "Brown", "Novak", "Dubois", "Ali"];

    /// <summary>The primary care physicians the population's patients name as theirs (Patient.generalPractitioner).</summary>
    public static readonly (string Id, string Given, string Family)[] PrimaryCarePhysicians =
    [
        ("pcp-01", "Amara", "Obi"), ("pcp-02", "Daniel", "Weiss"), ("pcp-03", "Priya", "Raman"), ("pcp-04", "Tomas", "Lindqvist"),
        ("pcp-05", "Leila", "Karimi"), ("pcp-06", "Marcus", "Bell"), ("pcp-07", "Yuki", "Sato"), ("pcp-08", "Rosa", "Delgado"),
    ];

    /// <summary>The hospital's own clinic that sees discharged patients without a primary care physician.</summary>
    public const string TransitionsClinicId = "clinic-transitions";

    /// <summary>US Core race categories (OMB), for subgroup evaluation.</summary>
    public static readonly (string Code, string Display, double Share)[] Races =
    [
        ("2106-3", "White", 0.62), ("2054-5", "Black or African American", 0.14), ("2028-9", "Asian", 0.07),
        ("2076-8", "Native Hawaiian or Other Pacific Islander", 0.01), ("1002-5", "American Indian or Alaska Native", 0.02), ("2131-1", "Other Race", 0.14),
    ];

    /// <summary>Charlson index (original 1987 weights) of the conditions, counting only the severe form within a hierarchy.</summary>
    public static int CharlsonIndex(IEnumerable<Diagnosis> conditions)
    {
        var weights = conditions.Where(d => d.CharlsonWeight > 0).Distinct().ToList();
        var total = weights.Sum(d => d.CharlsonWeight);
        if (weights.Contains(Diabetes) && weights.Contains(DiabeticKidneyDisease))
        {
            total -= Diabetes.CharlsonWeight;
        }

        if (weights.Contains(LungCancer) && weights.Contains(MetastaticCancer))
        {
            total -= LungCancer.CharlsonWeight;
        }

        return total;
    }

    /// <summary>A race category drawn at its share (<see cref="Races"/>).</summary>
    public static (string Code, string Display) PickRace(Rng rng)
    {
        var u = rng.Uniform();
        foreach (var (code, display, share) in Races)
        {
            if ((u -= share) < 0)
            {
                return (code, display);
            }
        }

        return (Races[^1].Code, Races[^1].Display);
    }
}
