using System.Text;
using System.Text.Json;
using ClinicalCds.Fhir;
using ClinicalCds.Fhir.Ingest;
using ClinicalCds.Synthetic;
using ClinicalCds.TestSupport;
using CsCheck;
using Hl7.Fhir.Model;

namespace ClinicalCds.UnitTests.Fhir;

/// <summary>
/// The structure check lets ingest skip Firely's object-building parse for resources it is certain of. Its one promise
/// is soundness: certain ⇒ Firely's strict parser accepts. Tested differentially against Firely on real resources
/// (Synthea fixtures, the synthetic population) and on tens of thousands of mutants of them.
/// </summary>
public sealed class StructureCheckTests
{
    private static readonly Lazy<IReadOnlyList<string>> SyntheaResources = new(() => Fixtures.SyntheaBundles
        .SelectMany(file =>
        {
            using var bundle = JsonDocument.Parse(File.ReadAllBytes(file));
            return bundle.RootElement.GetProperty("entry").EnumerateArray().Select(e => e.GetProperty("resource").GetRawText()).ToList();
        })
        .ToList());

    private static readonly Lazy<IReadOnlyList<string>> PopulationResources = new(() =>
    {
        var folder = Path.Combine(Path.GetTempPath(), $"clinicalcds-structure-{Guid.NewGuid():N}");
        try
        {
            PopulationGenerator.Generate(new SyntheticOptions(40, 5, SyntheticOptions.DefaultAsOf), folder);
            return Directory.GetFiles(folder, "*.ndjson").Order(StringComparer.Ordinal).SelectMany(File.ReadLines).ToList();
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    });

    private static bool IsCertain(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return StructureCheck.IsCertainlyValid(document.RootElement);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool FirelyAccepts(string json) => FhirJson.TryParse(Encoding.UTF8.GetBytes(json), out _) is not null;

    [Theory]
    [InlineData("Synthea fixtures", 10_000)]
    [InlineData("synthetic population", 1_000)]
    public void Every_real_resource_is_certain_and_Firely_accepts_every_one(string source, int atLeast)
    {
        var resources = source == "Synthea fixtures" ? SyntheaResources.Value : PopulationResources.Value;
        Assert.True(resources.Count > atLeast);
        Assert.All(resources, json =>
        {
            Assert.True(IsCertain(json), json[..Math.Min(json.Length, 200)]);
            Assert.True(FirelyAccepts(json));
        });
    }

    [Fact]
    public void A_mutant_the_check_is_certain_of_is_one_Firely_accepts()
    {
        var originals = SyntheaResources.Value.Concat(PopulationResources.Value).ToList();
        var random = new Random(20261126);
        int certain = 0, rejected = 0;
        for (var i = 0; i < 30_000; i++)
        {
            var mutant = JsonMutants.Mutate(originals[random.Next(originals.Count)], random);
            var accepted = FirelyAccepts(mutant);
            if (IsCertain(mutant))
            {
                certain++;
                Assert.True(accepted, $"certain, but Firely refuses: {mutant}");
            }

            rejected += accepted ? 0 : 1;
        }

        // Both sides of the promise are exercised: many mutants stay valid and are recognised, many are broken.
        Assert.InRange(certain, 3_000, 30_000);
        Assert.InRange(rejected, 10_000, 30_000);
    }

    [Theory]
    [InlineData("""{"resourceType":"Patient","id":"a","gender":"foo"}""")]
    [InlineData("""{"resourceType":"Patient","id":"a","name":[]}""")]
    [InlineData("""{"resourceType":"Patient","id":"a","name":[{}]}""")]
    [InlineData("""{"resourceType":"Patient","id":"a","name":{"family":"x"}}""")]
    [InlineData("""{"resourceType":"Patient","id":"a","name":[{"family":["x"]}]}""")]
    [InlineData("""{"resourceType":"Patient","id":"a","name":[{"family":""}]}""")]
    [InlineData("""{"resourceType":"Patient","id":"a","text":{"status":"generated"}}""")]
    [InlineData("""{"resourceType":"Patient","id":"a","link":[{"type":"seealso"}]}""")]
    [InlineData("""{"resourceType":"Patient","id":"a","deceasedBoolean":true,"deceasedDateTime":"2020"}""")]
    [InlineData("""{"resourceType":"Patient","id":"a","deceasedString":"x"}""")]
    [InlineData("""{"resourceType":"Patient","id":"a","active":"true"}""")]
    [InlineData("""{"resourceType":"Patient","id":"a","multipleBirthInteger":1.0}""")]
    [InlineData("""{"resourceType":"Patient","id":"a","birthDate":null}""")]
    [InlineData("""{"resourceType":"Patient","id":"a","birthDate":"2019-02-29"}""")]
    [InlineData("""{"resourceType":"Patient","id":"a","active":true,"active":false}""")]
    [InlineData("""{"resourceType":"Patient","id":"a","extension":[{"valueString":"y"}]}""")]
    [InlineData("""{"resourceType":"Patient","id":"a","telecom":[{"system":"phone","value":"1","period":{"start":"2020-13-01"}}]}""")]
    [InlineData("""{"resourceType":"Patient","id":"a","address":[{"period":{"start":"2020-01-01T10:00:00"}}]}""")]
    [InlineData("""{"resourceType":"Patient","id":"a","photo":[{"data":"!!!"}]}""")]
    [InlineData("""{"resourceType":"Patient","id":"a","meta":{"lastUpdated":"2020-01-01"}}""")]
    [InlineData("""{"resourceType":"Patient","id":"a","identifier":[{"value":"x","foo":1}]}""")]
    [InlineData("""{"resourceType":"Patient","id":"a","name":[{"given":["a",null]}]}""")]
    [InlineData("""{"resourceType":"Patient","id":"a","contained":[{"resourceType":"Patient","id":"b","gender":"zz"}]}""")]
    [InlineData("""{"resourceType":"Patient","id":"a","contained":{"resourceType":"Patient","id":"b"}}""")]
    [InlineData("""{"resourceType":"Observation","id":"a","code":{"text":"x"}}""")]
    [InlineData("""{"resourceType":"Observation","id":"a","status":"final","code":{"text":"x"},"valueQuantity":{"value":"1.5"}}""")]
    [InlineData("""{"resourceType":"Observation","id":"a","status":"final","code":{"text":"x"},"valueQuantity":{"value":1E400}}""")]
    [InlineData("""{"resourceType":"Observation","id":"a","status":"final","code":{"text":"x"},"valueQuantity":{"comparator":"~"}}""")]
    [InlineData("""{"resourceType":"Observation","id":"a","status":"final","code":{"coding":[{"code":"x  y"}]}}""")]
    [InlineData("""{"resourceType":"Encounter","id":"a","status":"finished"}""")]
    [InlineData("""{"resourceType":"Encounter","id":"a","status":"finished","class":{"code":"IMP"},"period":{"start":"2020-01-01T10:00:00+14:01"}}""")]
    [InlineData("""{"resourceType":"Unknown","id":"a"}""")]
    public void What_Firely_refuses_the_check_is_never_certain_of(string json)
    {
        Assert.False(FirelyAccepts(json));
        Assert.False(IsCertain(json));
    }

    [Theory]
    [InlineData("""{"resourceType":"Patient","id":"a","gender":"male","birthDate":"1950-02-28","active":true}""")]
    [InlineData("""{"resourceType":"Patient","id":"a","contained":[{"resourceType":"Practitioner","id":"b"}],"generalPractitioner":[{"reference":"#b"}]}""")]
    [InlineData("""{"resourceType":"Patient","id":"a","extension":[{"url":"http://x","valueCoding":{"system":"urn:oid:2.16.840.1.113883.6.238","code":"2106-3"}}]}""")]
    [InlineData("""{"resourceType":"Encounter","id":"a","status":"finished","class":{"code":"IMP"},"period":{"start":"2020-01-01T10:00:00.123+14:00"}}""")]
    [InlineData("""{"resourceType":"Observation","id":"a","status":"final","code":{"text":"x"},"valueQuantity":{"value":1.5e1,"unit":"mg"}}""")]
    public void Ordinary_valid_resources_are_certain(string json)
    {
        Assert.True(FirelyAccepts(json));
        Assert.True(IsCertain(json));
    }

    [Fact]
    public void The_quick_path_prepares_exactly_what_the_strict_path_prepares()
    {
        foreach (var json in SyntheaResources.Value.Concat(PopulationResources.Value).Where((_, i) => i % 7 == 0))
        {
            var bytes = Encoding.UTF8.GetBytes(json);
            Assert.True(IsCertain(json)); // so Prepare(bytes) takes the quick path
            var quick = ResourcePreparer.Prepare(bytes).Resource!;
            var strict = ResourcePreparer.Prepare(FhirJson.TryParse(bytes, out _)!, bytes).Resource!;
            Assert.Equal((strict.ResourceType, strict.Id, strict.PatientId), (quick.ResourceType, quick.Id, quick.PatientId));
            Assert.Equal(strict.Json, quick.Json);
            Assert.Equal(JsonSerializer.Serialize(strict.Facts), JsonSerializer.Serialize(quick.Facts));
        }
    }

    [Fact]
    public void A_resource_with_another_servers_version_still_loses_it()
    {
        var prepared = ResourcePreparer.Prepare(Encoding.UTF8.GetBytes(
            """{"resourceType":"Patient","id":"a","meta":{"versionId":"7","lastUpdated":"2020-01-01T00:00:00Z"},"gender":"male"}""")).Resource!;
        using var stored = JsonDocument.Parse(prepared.Json);
        Assert.False(stored.RootElement.TryGetProperty("meta", out _));
    }

    [Fact]
    public void A_single_object_where_contained_resources_belong_is_refused_with_a_reason_not_thrown()
    {
        // Found by the differential test: Firely threw a CodedValidationException out of its parser for this.
        var preparation = ResourcePreparer.Prepare(Encoding.UTF8.GetBytes(
            """{"resourceType":"Patient","id":"a","contained":{"resourceType":"Patient","id":"b"}}"""));
        Assert.Null(preparation.Resource);
        Assert.Contains("collection", string.Join(" ", preparation.Errors), StringComparison.Ordinal);
    }

    private static readonly Gen<string> Literals = Gen.OneOf(
        Gen.String[Gen.Char["0123456789-T:+Z. "], 0, 32],
        Gen.Select(Gen.Int[1, 9999], Gen.Int[0, 13], Gen.Int[0, 32], (y, m, d) => $"{y:D4}-{m:D2}-{d:D2}"),
        Gen.Select(Gen.Int[0, 25], Gen.Int[0, 61], Gen.Int[0, 61], Gen.Int[0, 15], Gen.OneOf(Gen.Const("+"), Gen.Const("-")), Gen.Int[0, 61],
            (h, m, s, oh, sign, om) => $"2020-02-29T{h:D2}:{m:D2}:{s:D2}{sign}{oh:D2}:{om:D2}"),
        Gen.Select(Gen.Int[0, 12], Gen.OneOf(Gen.Const("Z"), Gen.Const("")), (digits, zone) => "2024-12-31T23:59:59." + new string('5', digits) + zone),
        Gen.String[Gen.Char.AlphaNumeric, 0, 70],
        Gen.String[Gen.Char[" -.aZ09\t\u00a0é|\\\u007f"], 0, 8]);

    [Fact]
    public void A_literal_accepted_quickly_is_one_Firely_accepts_for_the_same_type() =>
        Literals.Sample(text =>
        {
            var raw = Encoding.UTF8.GetBytes(text);
            Assert.True(!FastLiterals.IsString(raw) || FhirString.IsValidValue(text));
            Assert.True(!FastLiterals.IsCode(raw) || Code.IsValidValue(text));
            Assert.True(!FastLiterals.IsId(raw) || Id.IsValidValue(text));
            Assert.True(!FastLiterals.IsDate(raw) || Date.IsValidValue(text));
            Assert.True(!FastLiterals.IsDateTime(raw) || FhirDateTime.IsValidValue(text));
            Assert.True(!FastLiterals.IsInstant(raw) || Instant.IsValidValue(text));
        }, iter: 50_000);

    [Theory]
    [InlineData("2024-02-29T10:00:00Z", true)]
    [InlineData("2024-02-29T10:00:00.1234567-05:00", true)]
    [InlineData("2024-02-29", false)]
    [InlineData("2023-02-29T10:00:00Z", false)]
    [InlineData("2024-02-29T10:00:00", false)]
    [InlineData("2024-02-29T10:00:00+14:30", false)]
    public void Instants_accepted_quickly_are_full_and_real(string text, bool quick) =>
        Assert.Equal(quick, FastLiterals.IsInstant(Encoding.UTF8.GetBytes(text)));
}
