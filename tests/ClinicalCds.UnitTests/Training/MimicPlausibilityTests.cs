using System.IO.Compression;
using System.Text.Json;
using ClinicalCds.Application.Models;
using ClinicalCds.Application.Models.Evaluation;
using ClinicalCds.Domain.Features;
using ClinicalCds.TestSupport;

namespace ClinicalCds.UnitTests.Training;

/// <summary>
/// Issue 32 item 5 on real charts: the plausibility bounds raise nothing on the MIMIC-IV demo's laboratory results, and
/// they find the partial unit mix-up its ED vital signs hold — temperatures charted in °C under the unit °F (34.7 "°F",
/// 1.5 °C once converted). Counted here from the raw NDJSON, independently of the product's mapping.
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
    public void Every_laboratory_result_of_the_six_model_labs_is_plausible_in_its_own_unit()
    {
        // MIMIC-IV d_labitems: hemoglobin 51222/50811 (g/dL), sodium 50983/50824, potassium 50971/50822 (mEq/L = mmol/L),
        // creatinine 50912 (mg/dL), leukocytes 51301/51300 (K/uL), albumin 50862 (g/dL).
        var features = new Dictionary<string, string>
        {
            ["51222"] = "HemoglobinGdl", ["50811"] = "HemoglobinGdl", ["50983"] = "SodiumMmolL", ["50824"] = "SodiumMmolL",
            ["50971"] = "PotassiumMmolL", ["50822"] = "PotassiumMmolL", ["50912"] = "CreatinineMgDl", ["51301"] = "WhiteBloodCellsPerNl",
            ["51300"] = "WhiteBloodCellsPerNl", ["50862"] = "AlbuminGdl",
        };
        var values = Resources("MimicObservationLabevents.ndjson.gz")
            .Where(o => features.ContainsKey(CodeOf(o.GetProperty("code"))) && o.TryGetProperty("valueQuantity", out var q) && q.TryGetProperty("value", out _))
            .Select(o => (Feature: features[CodeOf(o.GetProperty("code"))], Value: o.GetProperty("valueQuantity").GetProperty("value").GetDouble()))
            .ToList();
        Assert.True(values.Count > 8000, $"{values.Count} results");
        Assert.All(values, v => Assert.True(FeatureCatalog.Features.Single(f => f.Name == v.Feature).Plausible!.Contains(v.Value), $"{v.Feature} {v.Value}"));
    }

    [Fact]
    public void Temperatures_charted_in_celsius_under_fahrenheit_are_implausible_and_raise_the_alarm_no_other_temperature_does()
    {
        var temperatures = Resources("MimicObservationVitalSignsED.ndjson.gz")
            .Where(o => CodeOf(o.GetProperty("code")) == "8310-5" && o.TryGetProperty("valueQuantity", out _))
            .Select(o => o.GetProperty("valueQuantity"))
            .Select(q => (Value: q.GetProperty("value").GetDouble(), Unit: q.GetProperty("code").GetString()))
            .ToList();
        Assert.All(temperatures, t => Assert.Equal("[degF]", t.Unit));
        var celsius = temperatures.Select(t => (t.Value - 32) * 5 / 9).ToList();
        var underFahrenheit = celsius.Count(c => c < 10); // 34.7 "°F" is 1.5 °C: a Celsius reading under the wrong unit
        Assert.Equal(20, underFahrenheit);

        // As the model's inputs: the distance below 36.1 °C and above 38.0 °C.
        var below = FeatureCatalog.Features.Single(f => f.Name == "TemperatureBelow36_1Celsius");
        Assert.Equal(underFahrenheit, celsius.Select(c => Math.Max(0, 36.1 - Math.Round(c, 1))).Count(v => !below.Plausible!.Contains(v)));

        CardFeature card = new("TemperatureBelow36_1Celsius", "Cel", "test", 0.1, 0.3, 0.1, [.. Enumerable.Repeat(0.0, 19), 0.5]);
        var drift = InputDrift.Compare([card], [.. celsius.Select(c => (IReadOnlyList<double?>)[Math.Max(0, 36.1 - Math.Round(c, 1))])], new DriftThresholds());
        Assert.Contains(InputDrift.ImplausibleValues, drift[0].Alarms);
        Assert.Equal(20, drift[0].Implausible);
        var plausibleOnly = InputDrift.Compare([card], [.. celsius.Where(c => c >= 10).Select(c => (IReadOnlyList<double?>)[Math.Max(0, 36.1 - Math.Round(c, 1))])], new DriftThresholds());
        Assert.DoesNotContain(InputDrift.ImplausibleValues, plausibleOnly[0].Alarms);
    }
}
