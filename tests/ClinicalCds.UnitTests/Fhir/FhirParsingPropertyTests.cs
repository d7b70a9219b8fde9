using System.Text;
using ClinicalCds.Fhir;
using ClinicalCds.Fhir.Ingest;
using CsCheck;

namespace ClinicalCds.UnitTests.Fhir;

/// <summary>
/// Property-based: whatever bytes arrive as a resource or a Bundle, parsing answers (a resource, or reasons) and never
/// throws — the promise the ingest endpoints build their "every bad line explained" on.
/// </summary>
public sealed class FhirParsingPropertyTests
{
    private const string Observation = """
        {"resourceType":"Observation","id":"o1","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"2160-0"}]},
         "subject":{"reference":"Patient/p1"},"effectiveDateTime":"2024-01-02T03:04:05Z",
         "valueQuantity":{"value":132.6,"unit":"umol/L","system":"http://unitsofmeasure.org","code":"umol/L"}}
        """;

    /// <summary>Valid JSON of every shape, and near-resources: a valid one cut, spliced or with a value of the wrong kind.</summary>
    private static readonly Gen<string> Inputs = Gen.OneOf(
        Gen.String,
        Gen.Int.Select(i => $"[{i}]"),
        Gen.Int.Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        Gen.Const("null"), Gen.Const("true"), Gen.Const("\"text\""), Gen.Const("{}"), Gen.Const("[]"), Gen.Const("[{}]"),
        Gen.Int[0, Observation.Length].Select(cut => Observation[..cut]),
        Gen.Select(Gen.Int[0, Observation.Length], Gen.String[0, 8], (at, text) => Observation[..at] + text + Observation[at..]),
        Gen.OneOf(Gen.Const("[]"), Gen.Const("{}"), Gen.Const("null"), Gen.Const("1e999"), Gen.Const("\"\""), Gen.Const("-1"))
            .Select(value => Observation.Replace("132.6", value, StringComparison.Ordinal).Replace("\"final\"", value, StringComparison.Ordinal)));

    [Theory]
    [InlineData(".A*")]
    [InlineData(" {}")]
    [InlineData("x")]
    public void A_resource_followed_by_anything_but_whitespace_is_refused(string trailing)
    {
        // Found by the property below (seed 1LDqENwuOSp1): Firely stops after the first JSON value.
        Assert.Null(FhirJson.TryParse(Encoding.UTF8.GetBytes(Observation + trailing), out var errors));
        Assert.Contains("Invalid JSON", errors.Single(), StringComparison.Ordinal);
        Assert.Null(ResourcePreparer.Prepare(Encoding.UTF8.GetBytes(Observation + trailing)).Resource);
        Assert.NotNull(ResourcePreparer.Prepare(Encoding.UTF8.GetBytes(Observation + " \n")).Resource);
    }

    [Fact]
    public void Any_input_parses_to_a_resource_or_to_reasons_and_never_throws() =>
        Inputs.Sample(input =>
        {
            var resource = FhirJson.TryParse(Encoding.UTF8.GetBytes(input), out var errors);
            Assert.True(resource is not null || errors.Count > 0);
            var preparation = ResourcePreparer.Prepare(Encoding.UTF8.GetBytes(input));
            Assert.True(preparation.Resource is not null || preparation.Errors.Count > 0);
        }, iter: 5000);

    [Fact]
    public void Any_input_read_as_a_Bundle_answers_entries_or_an_error_and_never_throws() =>
        Inputs.Select(resource => $$$"""{"resourceType":"Bundle","type":"batch","entry":[{"resource":{{{resource}}},"request":{"method":"PUT","url":"Observation/o1"}}]}""")
            .Sample(bundle =>
            {
                var input = BundleEntries.Read(Encoding.UTF8.GetBytes(bundle));
                Assert.True(input.Error is not null || input.Entries.All(e => e.Preparation.Resource is not null || e.Preparation.Errors.Count > 0));
            }, iter: 3000);
}
