using ClinicalCds.Application.CdsHooks;
using ClinicalCds.Domain.Clinical;

namespace ClinicalCds.UnitTests.CdsHooks;

/// <summary>An EHR that codes its labs locally is asked, in the prefetch templates, for the local codes the maps know.</summary>
public sealed class LocalizedDiscoveryTests
{
    private const string Local = "http://hospital.example/CodeSystem/lab";

    private static readonly Terminology Maps = new(
    [
        new ConceptMapGroup(Local, CodeSystems.Loinc, new Dictionary<string, (string, string?)> { ["HGB"] = ("718-7", null), ["HCT"] = ("4544-3", null) }, false, "m"),
    ]);

    [Fact]
    public void A_template_naming_a_LOINC_code_also_names_the_local_codes_mapped_to_it_and_nothing_else_changes()
    {
        var plain = CdsServices.Find(CdsServices.Readmission)!;
        var localized = CdsServices.Localized(plain, Maps);
        var observations = localized.Prefetch!["observations"];
        var codes = observations.Split("code=")[1].Split('&')[0].Split(',');

        Assert.Single(codes, $"{Local}|HGB");
        Assert.DoesNotContain($"{Local}|HCT", codes); // hematocrit is not a code the catalog asks for
        Assert.Equal(plain.Prefetch!["observations"].Split("code=")[1].Split('&')[0].Split(',').Length + 1, codes.Length);
        Assert.EndsWith("&_count=5000", observations, StringComparison.Ordinal);
        Assert.Equal(plain.Prefetch!.Where(p => p.Key != "observations"), localized.Prefetch!.Where(p => p.Key != "observations"));
        Assert.Same(plain, CdsServices.Localized(plain, Terminology.None));
        Assert.Same(localized, CdsServices.Localized(plain, Maps)); // once per terminology, not per hook call
    }
}
