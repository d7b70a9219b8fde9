using ClinicalCds.Domain.Clinical;
using ClinicalCds.Domain.Comorbidity;

namespace ClinicalCds.UnitTests.Scores;

/// <summary>
/// ICD-9-CM codes in the Charlson and Elixhauser categories, at the edges of Quan H et al., "Coding algorithms for
/// defining comorbidities in ICD-9-CM and ICD-10 administrative data", Med Care 2005;43(11):1130-9, Table 1 (enhanced
/// ICD-9-CM Charlson) and Table 2 (enhanced ICD-9-CM Elixhauser): each range's first and last code in, its neighbours out.
/// </summary>
public sealed class Icd9ComorbidityTests
{
    [Theory]
    // Myocardial infarction 410.x, 412.x (not 411).
    [InlineData("410.01", "mi")]
    [InlineData("412", "mi")]
    // Congestive heart failure: 398.91, 402.01 ..., 425.4–425.9, 428.x.
    [InlineData("398.91", "chf")]
    [InlineData("425.4", "chf")]
    [InlineData("425.9", "chf")]
    [InlineData("42833", "chf")]
    // Peripheral vascular disease: 093.0, 437.3, 440.x, 441.x, 443.1–443.9, 447.1, 557.1, 557.9, V43.4.
    [InlineData("093.0", "pvd")]
    [InlineData("443.1", "pvd")]
    [InlineData("443.9", "pvd")]
    [InlineData("V43.4", "pvd")]
    // Dementia 290.x, 294.1, 331.2.
    [InlineData("290.0", "dementia")]
    [InlineData("294.10", "dementia")]
    [InlineData("331.2", "dementia")]
    // Chronic pulmonary disease 416.8, 416.9, 490.x–505.x, 506.4, 508.1, 508.8.
    [InlineData("416.8", "cpd")]
    [InlineData("493.90", "cpd")]
    [InlineData("505", "cpd")]
    [InlineData("508.8", "cpd")]
    // Mild liver disease: ... 573.3, 573.4, 573.8, 573.9, V42.7.
    [InlineData("571.5", "mld")]
    [InlineData("573.9", "mld")]
    [InlineData("V42.7", "mld")]
    // Diabetes without (250.0–250.3, 250.8, 250.9) and with chronic complication (250.4–250.7).
    [InlineData("250.00", "diab")]
    [InlineData("250.30", "diab")]
    [InlineData("250.80", "diab")]
    [InlineData("250.40", "diabwc")]
    [InlineData("250.73", "diabwc")]
    // Hemiplegia or paraplegia 334.1, 342.x, 343.x, 344.0–344.6, 344.9.
    [InlineData("334.1", "hp")]
    [InlineData("344.60", "hp")]
    [InlineData("344.9", "hp")]
    // Renal disease: 403.01 ..., 582.x, 583.0–583.7, 585.x, 586.x, 588.0, V42.0, V45.1, V56.x.
    [InlineData("403.01", "rend")]
    [InlineData("583.7", "rend")]
    [InlineData("585.6", "rend")]
    [InlineData("V56.0", "rend")]
    // Any malignancy 140.x–172.x, 174.x–195.8, 200.x–208.x, 238.6; metastatic solid tumour 196.x–199.x.
    [InlineData("140.0", "canc")]
    [InlineData("172.9", "canc")]
    [InlineData("174.9", "canc")]
    [InlineData("195.8", "canc")]
    [InlineData("208.90", "canc")]
    [InlineData("238.6", "canc")]
    [InlineData("196.0", "metacanc")]
    [InlineData("199.1", "metacanc")]
    // Moderate or severe liver disease 456.0–456.2, 572.2–572.8; AIDS/HIV 042.x–044.x.
    [InlineData("456.2", "msld")]
    [InlineData("572.8", "msld")]
    [InlineData("042", "aids")]
    public void Charlson_ICD_9_CM_ranges_hold_their_first_and_last_codes(string code, string category) =>
        Assert.Contains(category, CodeList.Charlson.CategoriesOf(CodeSystems.Icd9Cm, code).Select(c => c.Key));

    [Theory]
    [InlineData("411.1")] // Other acute ischaemic heart disease: not an infarction.
    [InlineData("425.3")] // Endocardial fibroelastosis: before the CHF range 425.4–425.9.
    [InlineData("443.0")] // Raynaud's syndrome: before the PVD range 443.1–443.9.
    [InlineData("294.0")] // Amnestic disorder: dementia is 294.1 only.
    [InlineData("416.0")] // Primary pulmonary hypertension: CPD is 416.8 and 416.9.
    [InlineData("573.2")] // Hepatitis in other infectious diseases: not in the mild liver list.
    [InlineData("344.7")] // Between 344.6 and 344.9.
    [InlineData("588.1")] // Nephrogenic diabetes insipidus: renal disease is 588.0.
    [InlineData("173.3")] // Other skin malignancy: 173.x is left out of any malignancy.
    [InlineData("238.5")] // Before 238.6.
    [InlineData("401.9")] // Hypertension: no Charlson category.
    public void Charlson_ICD_9_CM_neighbours_of_the_ranges_are_outside(string code) =>
        Assert.Empty(CodeList.Charlson.CategoriesOf(CodeSystems.Icd9Cm, code));

    [Theory]
    [InlineData("401.9", "hypunc")]
    [InlineData("402.10", "hypc")]
    [InlineData("405.99", "hypc")]
    [InlineData("427.31", "carit")]
    [InlineData("V45.0", "carit")]
    [InlineData("424.1", "valv")]
    [InlineData("415.19", "pcd")]
    [InlineData("244.9", "hypothy")]
    [InlineData("280.0", "blane")]
    [InlineData("281.1", "dane")]
    [InlineData("278.00", "obes")]
    [InlineData("278.01", "obes")]
    [InlineData("276.1", "fed")]
    [InlineData("311", "depre")]
    [InlineData("303.90", "alcohol")]
    [InlineData("304.00", "drug")]
    [InlineData("295.30", "psycho")]
    [InlineData("531.70", "pud")]
    [InlineData("203.00", "lymph")]
    public void Elixhauser_ICD_9_CM_codes_find_their_category(string code, string category) =>
        Assert.Contains(category, CodeList.Elixhauser.CategoriesOf(CodeSystems.Icd9Cm, code).Select(c => c.Key));

    [Theory]
    [InlineData("285.1", "blane")] // Acute posthaemorrhagic anaemia: blood-loss anaemia is 280.0 in Quan's ICD-9-CM list.
    [InlineData("531.00", "pud")] // Peptic ulcer with haemorrhage: Elixhauser counts ulcers without bleeding (531.7, 531.9, ...).
    [InlineData("203.10", "lymph")] // Plasma cell leukaemia: lymphoma is 203.0 only.
    [InlineData("278.1", "obes")] // Localized adiposity: obesity is 278.0.
    [InlineData("400.0", "hypunc")] // Before 401.
    public void Elixhauser_ICD_9_CM_neighbours_are_outside_the_category(string code, string category) =>
        Assert.DoesNotContain(category, CodeList.Elixhauser.CategoriesOf(CodeSystems.Icd9Cm, code).Select(c => c.Key));
}
