using System.Text;
using System.Text.Json;
using ClinicalCds.Fhir;
using ClinicalCds.Fhir.Ingest;
using CsCheck;

namespace ClinicalCds.UnitTests.Fhir;

public sealed class JsonTextTests
{
    private static readonly Gen<string> Pieces = Gen.OneOf(
        Gen.Const(@"\ud800"), Gen.Const(@"\udbff"), Gen.Const(@"\udc00"), Gen.Const(@"\udfff"), Gen.Const(@"\ud83d"), Gen.Const(@"\ude00"),
        Gen.Const(@"\uD83D"), Gen.Const(@"\uDE00"), Gen.Const("a"), Gen.Const(@"\\"), Gen.Const(@"\n"), Gen.Const(@"\u0041"), Gen.Const("é"),
        Gen.Const("\\\""), Gen.Const("ud800"));

    /// <summary>What System.Text.Json itself says: reading every string of the document throws, or not.</summary>
    private static bool StringReadThrows(JsonElement element)
    {
        try
        {
            Visit(element);
            return false;
        }
        catch (InvalidOperationException)
        {
            return true;
        }

        static void Visit(JsonElement e)
        {
            switch (e.ValueKind)
            {
                case JsonValueKind.String: e.GetString(); break;
                case JsonValueKind.Array: foreach (var i in e.EnumerateArray()) { Visit(i); } break;
                case JsonValueKind.Object: foreach (var p in e.EnumerateObject()) { _ = p.Name; Visit(p.Value); } break;
            }
        }
    }

    [Fact]
    public void Unpaired_surrogates_are_found_exactly_where_System_Text_Json_cannot_read_the_string() =>
        Gen.Select(Pieces.Array[0, 6], Pieces.Array[0, 6], Pieces.Array[0, 6], (a, b, c) =>
                $$"""{"{{string.Concat(a)}}":["{{string.Concat(b)}}",{"k":"{{string.Concat(c)}}"}]}""")
            .Sample(json =>
            {
                var utf8 = Encoding.UTF8.GetBytes(json);
                using var document = JsonDocument.Parse(utf8);
                var expected = StringReadThrows(document.RootElement);
                Assert.Equal(expected, JsonText.HasUnpairedSurrogate(utf8));
                Assert.Equal(expected, JsonText.HasUnpairedSurrogate(document.RootElement));
            }, iter: 20_000);

    [Theory]
    [InlineData(@"[""\ud800""]", true)]
    [InlineData(@"[""\udc00x""]", true)]
    [InlineData(@"[""\ud800\u0041""]", true)]
    [InlineData(@"[""\ud800"",""\udc00""]", true)]
    [InlineData(@"[""\ud83d\ude00""]", false)]
    [InlineData(@"[""\\ud800""]", false)]
    [InlineData(@"[""plain""]", false)]
    public void Examples(string json, bool unpaired) => Assert.Equal(unpaired, JsonText.HasUnpairedSurrogate(Encoding.UTF8.GetBytes(json)));

    [Fact]
    public void A_resource_with_an_unpaired_surrogate_is_refused_with_the_reason_not_thrown()
    {
        var preparation = ResourcePreparer.Prepare(Encoding.UTF8.GetBytes(
            """{"resourceType":"Patient","id":"a","name":[{"family":"\ud800"}]}"""));
        Assert.Null(preparation.Resource);
        Assert.Equal(JsonText.Problem, preparation.Errors.Single());
        Assert.Equal(JsonText.Problem, BundleEntries.Read(Encoding.UTF8.GetBytes(
            """{"resourceType":"Bundle","type":"batch","entry":[{"fullUrl":"urn:uuid:\udc00"}]}""")).Error);
    }
}
