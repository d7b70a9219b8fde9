using System.IO.Compression;
using System.Text.Json;
using ClinicalCds.Application.Models.Evaluation;
using ClinicalCds.Application.Monitoring.CheckResultFeed;
using ClinicalCds.Domain.Clinical;
using ClinicalCds.Domain.Units;
using ClinicalCds.TestSupport;

namespace ClinicalCds.UnitTests.Training;

/// <summary>
/// Issue 32 item 5 on real charts: the plausibility bounds refuse none of the MIMIC-IV demo's laboratory results of the
/// six model labs, and they find the partial unit mix-up its ED vital signs hold — temperatures charted in °C under the
/// unit °F (34.7 "°F", 1.5 °C once converted), which NEWS2 would otherwise score 3 and the guardrail show as high risk.
/// Counted here from the raw NDJSON, with the Fahrenheit conversion written out, independently of the product's mapping.
/// </summary>
public sealed class MimicPlausibilityTests
{
    private static IEnumerable<JsonElement> Resources(string file)
    {
        using var stream = new GZipStream(File.OpenRead(Path.Combine(Fixtures.MimicDirectory, file)), CompressionMode.Decompress);
        using var reader = new StreamReader(stream);
        while (reader.ReadLine() is { } line)
        {
            yield return JsonDocument.Parse(line).RootElement.Clone();
        }
    }

    private static string CodeOf(JsonElement concept) => concept.GetProperty("coding")[0].GetProperty("code").GetString()!;

    [Fact]
    public void Every_laboratory_result_of_the_six_model_labs_is_usable()
    {
        // MIMIC-IV d_labitems and the LOINC each means: hemoglobin 51222/50811 (g/dL), sodium 50983/50824 and potassium
        // 50971/50822 (mEq/L), creatinine 50912 (mg/dL), leukocytes 51301/51300 (K/uL), albumin 50862 (g/dL).
        var loinc = new Dictionary<string, string>
        {
            ["51222"] = Loinc.HemoglobinMassBlood, ["50811"] = Loinc.HemoglobinMassBlood, ["50983"] = Loinc.SodiumSerumPlasma,
            ["50824"] = Loinc.SodiumBlood, ["50971"] = Loinc.PotassiumSerumPlasma, ["50822"] = Loinc.PotassiumBlood,
            ["50912"] = Loinc.CreatinineSerumPlasma, ["51301"] = Loinc.LeukocytesBlood, ["51300"] = Loinc.LeukocytesBlood,
            ["50862"] = Loinc.AlbuminSerumPlasma,
        };
        var results = Resources("MimicObservationLabevents.ndjson.gz")
            .Where(o => loinc.ContainsKey(CodeOf(o.GetProperty("code"))) && o.TryGetProperty("valueQuantity", out var q) && q.TryGetProperty("value", out _))
            .Select(o => (Code: loinc[CodeOf(o.GetProperty("code"))], Value: o.GetProperty("valueQuantity").GetProperty("value").GetDouble(),
                Unit: o.GetProperty("valueQuantity").GetProperty("unit").GetString()!.Replace("K/uL", "10*3/uL", StringComparison.Ordinal)))
            .ToList();
        Assert.True(results.Count > 8000, $"{results.Count} results");
        Assert.All(results, r => Assert.True(UnitConversion.ToCanonical(r.Code, r.Value, r.Unit) is not null, $"{r.Code} {r.Value} {r.Unit}"));
    }

    [Fact]
    public void Temperatures_charted_in_celsius_under_fahrenheit_are_not_usable_and_fault_the_feed_no_other_is()
    {
        var temperatures = Resources("MimicObservationVitalSignsED.ndjson.gz")
            .Where(o => CodeOf(o.GetProperty("code")) == "8310-5" && o.TryGetProperty("valueQuantity", out _))
            .Select(o => o.GetProperty("valueQuantity"))
            .Select(q => (Value: q.GetProperty("value").GetDouble(), Unit: q.GetProperty("code").GetString()!))
            .ToList();
        Assert.All(temperatures, t => Assert.Equal("[degF]", t.Unit));
        var celsiusUnderFahrenheit = temperatures.Where(t => (t.Value - 32) * 5 / 9 < 10).ToList(); // 34.7 "°F" is 1.5 °C
        Assert.Equal(20, celsiusUnderFahrenheit.Count);
        Assert.All(celsiusUnderFahrenheit, t => Assert.InRange(t.Value, 34, 40)); // plausible body temperatures in °C

        var refused = temperatures.Where(t => UnitConversion.ToCanonical(Loinc.BodyTemperature, t.Value, t.Unit) is null).ToList();
        Assert.Equal(celsiusUnderFahrenheit, refused);
        Assert.True(new ResultFeed(Loinc.BodyTemperature, temperatures.Count, refused.Count, ["[degF]"]).Alarmed(new DriftThresholds()));
    }
}
