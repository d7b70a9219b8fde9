using ClinicalCds.Domain.Models;
using ClinicalCds.Application.Abstractions;
using ClinicalCds.Application.Models;
using ClinicalCds.Application.Models.Evaluation;
using ClinicalCds.Domain.Explanations;
using ClinicalCds.Domain.Features;
using ClinicalCds.Domain.Scores;
using ClinicalCds.Infrastructure.Models;

namespace ClinicalCds.IntegrationTests.Models;

/// <summary>
/// The models shipped under models/, as the server serves them: a missing input is never read as an extreme value
/// (ADR 0004), and explanations add up to what is served, missing inputs or not.
/// </summary>
public sealed class ShippedModelTests(Xunit.Abstractions.ITestOutputHelper output)
{
    public static TheoryData<string> Models => new(Directory.GetDirectories(Path.Combine(Repository.Root, "models")).Select(Path.GetFileName)!);

    private static OnnxRiskModel Load(string name)
    {
        var folder = Path.Combine(Repository.Root, "models", name, Repository.ShippedVersion(name));
        var (model, error) = OnnxModelRegistry.Load(folder);
        Assert.True(model is not null, error);
        return model;
    }

    /// <summary>Rows drawn from the card: each input one of its reference values, or not recorded at its training missing share.</summary>
    private static List<FeatureVector> Rows(ModelCard card, int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => new FeatureVector(card.FeatureCatalogVersion, card.Features
            .Select(f => f.Reference.Count == 0 || random.NextDouble() < f.MissingShare ? (double?)null : f.Reference[random.Next(f.Reference.Count)])
            .ToList())).ToList();
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void The_probability_with_an_input_missing_lies_within_the_probabilities_its_plausible_values_give(string name)
    {
        // The plausible values of a missing input are its values given the recorded ones (ADR 0009): 20 quantiles of its
        // conditional distribution. With that one input missing the probability is their mean, so it lies between the
        // lowest and highest they give.
        using var model = Load(name);
        var card = model.Card;
        Assert.NotNull(model.Dependence);
        var marginal = ModelInference.References(card);
        var rows = Rows(card, 60, seed: 18).Select(r => r with
        {
            Values = [.. r.Values.Select((v, j) => v ?? (card.Features[j].Reference.Count > 0 ? card.Features[j].Reference[10] : 0))],
        }).ToList();
        var checkedInputs = 0;
        var violations = new List<string>();
        for (var j = 0; j < card.Features.Count; j++)
        {
            if (card.Features[j].Reference.Distinct().Count() < 2)
            {
                continue;
            }

            checkedInputs++;
            // One batch per input: each row with the input missing, then with each of its plausible values for that row.
            var batch = new List<FeatureVector>();
            var counts = new List<int>();
            foreach (var row in rows)
            {
                var missing = With(row, j, null);
                var values = ModelInference.ReferenceFor(MissingInputs.AsModelInput(missing.Values), marginal, model.Dependence).Values[j].Distinct().ToList();
                batch.Add(missing);
                batch.AddRange(values.Select(v => With(row, j, v)));
                counts.Add(values.Count);
            }

            var probabilities = model.Predict(batch);
            var at = 0;
            for (var r = 0; r < rows.Count; r++)
            {
                var missing = probabilities[at];
                var known = probabilities.Skip(at + 1).Take(counts[r]).ToList();
                at += counts[r] + 1;
                // Complete rows are scored by ONNX Runtime in float32, rows with missing inputs by the trees in double:
                // they agree to about 1e-6 of probability, which is the tolerance.
                if (missing < known.Min() - 1e-6 || missing > known.Max() + 1e-6)
                {
                    violations.Add($"{card.Features[j].Name} row {r}: {missing:P2} outside {known.Min():P2}-{known.Max():P2}");
                }
            }
        }

        Assert.True(checkedInputs >= 20, $"only {checkedInputs} inputs have two or more reference values");
        Assert.True(violations.Count == 0, string.Join("\n", violations.Take(20)));
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Explanations_add_up_to_the_served_probability_and_missing_inputs_are_ranked_by_how_far_they_move_it(string name)
    {
        using var model = Load(name);
        var rows = Rows(model.Card, 60, seed: 7);
        Assert.Contains(rows, r => r.Values.Any(v => v is null));

        var assessments = model.Assess(rows);
        var probabilities = model.Predict(rows);
        for (var i = 0; i < rows.Count; i++)
        {
            var a = assessments[i];
            Assert.Equal(probabilities[i], a.Probability, 12);
            // Complete rows are scored by ONNX Runtime in float32, explained by the trees in double: equal to 1e-5 of log-odds.
            Assert.InRange(Math.Abs(Math.Log(a.Probability / (1 - a.Probability)) - (a.BaseValue + a.Contributions!.Sum())), 0, 1e-5);
            Assert.Equal(rows[i].Values.Where((v, j) => v is null && model.Card.Features[j].Reference.Count > 0).Count(), a.Missing.Count);
            Assert.Equal(a.Missing.OrderByDescending(m => m.Spread).Select(m => m.Spread), a.Missing.Select(m => m.Spread));
            Assert.InRange(a.PlausibleLow, 0, a.PlausibleHigh);
            if (a.Missing.Count == 0)
            {
                Assert.Equal((a.Probability, a.Probability), (a.PlausibleLow, a.PlausibleHigh));
            }
        }
    }

    /// <summary>A shipped model with another calibration, as `recalibrate` writes one: the same graph, trees and dependence.</summary>
    private sealed record Recalibrated(OnnxRiskModel Served, ModelCard Card) : IRiskModel
    {
        public TreeEnsemble Trees => Served.Trees;

        public InputDependence? Dependence => Served.Dependence;

        public double[] RawScores(IReadOnlyList<float[]> rows) => Served.RawScores(rows);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void With_an_isotonic_calibration_explanations_still_add_up_to_the_served_probability_and_keep_their_signs(string name)
    {
        // Outcomes drawn at the shipped calibration's probabilities, an isotonic map fitted on them (ADR 0011).
        using var model = Load(name);
        var rows = Rows(model.Card, 400, seed: 9);
        var raw = ModelInference.RawScores([.. rows.Select(r => r.Values)], ModelInference.References(model.Card), model.Trees, model.RawScores, model.Dependence);
        var random = new Random(9);
        var outcomes = raw.Select(s => random.NextDouble() < model.Card.Calibration.Probability(s)).ToArray();
        var isotonic = new Recalibrated(model, model.Card with
        {
            Calibration = new CardCalibration(CardCalibration.Isotonic, 0, 0, "test") { Knots = IsotonicFit.Fit(raw, outcomes) },
        });

        var explained = isotonic.Assess(rows);
        var platt = model.Assess(rows);
        var probabilities = isotonic.Predict(rows);
        for (var i = 0; i < rows.Count; i++)
        {
            var a = explained[i];
            Assert.Equal(probabilities[i], a.Probability, 12);
            Assert.Equal(isotonic.Card.Calibration.Probability(raw[i]), a.Probability, 6);
            Assert.InRange(Math.Abs(Math.Log(a.Probability / (1 - a.Probability)) - (a.BaseValue + a.Contributions!.Sum())), 0, 1e-5);
            // A non-decreasing map scales every contribution by one factor of at least 0: no fact changes the side it pushes.
            Assert.All(a.Contributions.Zip(platt[i].Contributions!), c => Assert.True(c.First * c.Second >= 0));
            Assert.InRange(a.Probability, a.PlausibleLow - 1e-12, a.PlausibleHigh + 1e-12);
        }
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void ONNX_Runtime_reproduces_the_answer_for_missing_inputs_as_the_mean_of_its_scores_over_every_combination(string name)
    {
        using var model = Load(name);
        var reference = ModelInference.References(model.Card);
        var random = new Random(3);
        var candidates = Enumerable.Range(0, model.Card.Features.Count).Where(j => model.Card.Features[j].Reference.Count > 0).ToList();
        var complete = Rows(model.Card, 40, seed: 5).Select(r => r with
        {
            Values = [.. r.Values.Select((v, j) => v ?? (model.Card.Features[j].Reference.Count > 0 ? model.Card.Features[j].Reference[0] : 0))],
        }).ToList();
        foreach (var row in complete)
        {
            // One or two inputs missing: every combination of their reference values, scored by ONNX Runtime.
            var missing = candidates.OrderBy(_ => random.Next()).Take(1 + random.Next(2)).ToList();
            var x = MissingInputs.AsModelInput(row.Values);
            foreach (var j in missing)
            {
                x[j] = null;
            }

            // Over the missing inputs' plausible values given the recorded ones (ADR 0009), as the server averages them.
            var conditional = ModelInference.ReferenceFor(x, reference, model.Dependence);
            var combinations = new List<float[]> { MissingInputs.Row(x) };
            foreach (var j in missing)
            {
                combinations = [.. combinations.SelectMany(c => conditional.Values[j].Select(v =>
                {
                    var next = (float[])c.Clone();
                    next[j] = (float)v;
                    return next;
                }))];
            }

            // ONNX Runtime sums its trees in float32: agreement to a relative 1e-6 of the raw score.
            var onnxMean = model.RawScores(combinations).Average();
            Assert.InRange(Math.Abs(onnxMean - model.Trees.PredictWithMissing(x, conditional)), 0, 1e-6 * Math.Max(1, Math.Abs(onnxMean)));
            var onnxComplete = model.RawScores([MissingInputs.Row(row.Values)])[0];
            Assert.InRange(Math.Abs(onnxComplete - model.Trees.Predict([.. row.Values.Select(v => (double)(float)v!.Value)])), 0, 1e-6 * Math.Max(1, Math.Abs(onnxComplete)));
        }
    }

    /// <summary>A vital sign: its normal value and values in NEWS2's 2- and 3-point bands, either side (RCP NEWS2 2017, Chart 1).</summary>
    public static TheoryData<string, string> VitalSigns()
    {
        var data = new TheoryData<string, string>();
        foreach (var model in Directory.GetDirectories(Path.Combine(Repository.Root, "models")).Select(Path.GetFileName))
        {
            foreach (var vital in Bands.Keys)
            {
                data.Add(model!, vital);
            }
        }

        return data;
    }

    private static readonly Dictionary<string, (Func<double, ClinicalFeatures> Set, double Normal, double[] Deranged)> Bands = new()
    {
        ["respiratory rate"] = (v => Vitals() with { RespiratoryRate = Measured(v) }, 16, [21, 24, 25, 30, 40, 8, 6]),
        ["SpO2"] = (v => Vitals() with { OxygenSaturation = Measured(v) }, 97, [93, 92, 91, 85, 75]),
        ["systolic blood pressure"] = (v => Vitals() with { SystolicBloodPressure = Measured(v) }, 125, [100, 91, 90, 80, 60, 220, 250]),
        ["heart rate"] = (v => Vitals() with { HeartRate = Measured(v) }, 75, [111, 130, 131, 150, 180, 40, 30]),
        ["temperature"] = (v => Vitals() with { Temperature = Measured(v) }, 37.0, [39.1, 40.5, 35.0, 33.0]),
        ["consciousness"] = (v => Vitals() with { Consciousness = v == 0 ? Consciousness.Alert : (Consciousness)(int)v }, 0, [1, 2, 3, 4]),
        ["oxygen"] = (v => Vitals() with { SupplementalOxygen = v > 0 }, 0, [1]),
    };

    private static Measurement Measured(double value) => new(value, string.Empty, DateTimeOffset.UnixEpoch);

    private static ClinicalFeatures Vitals() => new()
    {
        PatientId = "p", IndexEncounterId = "e", AsOf = DateTimeOffset.UnixEpoch, AdmittedAt = DateTimeOffset.UnixEpoch,
        CharlsonCategories = new HashSet<string>(), ElixhauserCategories = new HashSet<string>(),
    };

    /// <summary>
    /// Issue 29 item 2 (ADR 0007): moving any single vital sign from its normal range into NEWS2's 2- and 3-point bands, in
    /// either direction, never lowers the served probability — for rows drawn across the card's reference values, complete
    /// (ONNX Runtime) or with inputs missing (the trees, averaged over their reference).
    /// </summary>
    [Theory]
    [MemberData(nameof(VitalSigns))]
    public void A_vital_sign_moved_into_NEWS2s_2_and_3_point_bands_in_either_direction_never_lowers_the_probability(string name, string vital)
    {
        using var model = Load(name);
        var card = model.Card;
        var (set, normal, deranged) = Bands[vital];
        // The model inputs this vital sign sets (its derangement inputs), by the catalog's own reading.
        var inputs = FeatureCatalog.Vectorize(set(normal)).Values.Select((v, i) => (v, i)).Where(p => p.v is not null).Select(p => p.i)
            .Where(i => FeatureCatalog.Features[i].NeverLowersRisk).ToList();
        Assert.NotEmpty(inputs);
        var rows = Rows(card, 150, seed: 29);
        var batch = new List<FeatureVector>();
        foreach (var row in rows)
        {
            foreach (var value in deranged.Prepend(normal))
            {
                var vector = FeatureCatalog.Vectorize(set(value)).Values;
                var values = row.Values.ToArray();
                foreach (var i in inputs)
                {
                    values[i] = vector[i];
                }

                batch.Add(row with { Values = values });
            }
        }

        var probabilities = model.Predict(batch);
        var stride = deranged.Length + 1;
        var violations = new List<string>();
        for (var r = 0; r < rows.Count; r++)
        {
            var atNormal = probabilities[r * stride];
            for (var k = 0; k < deranged.Length; k++)
            {
                if (probabilities[(r * stride) + k + 1] < atNormal - 1e-6)
                {
                    violations.Add($"row {r}: {vital} {deranged[k]} gives {probabilities[(r * stride) + k + 1]:P3} below {atNormal:P3} at {normal}");
                }
            }
        }

        Assert.True(violations.Count == 0, string.Join("\n", violations.Take(20)));
    }

    /// <summary>
    /// The reviewer's patient of issue 29: a 75-year-old on the second day of an emergency admission, one set of vital
    /// signs charted an hour ago and nothing else recorded; each value moved alone into NEWS2's 3-point band, then all at
    /// once (NEWS2 20). The deterioration model never answers lower than for the normal set, and the card for the whole
    /// set in collapse is the high tier (the guardrail) whatever the model says.
    /// </summary>
    [Fact]
    public void The_reviewers_patient_in_collapse_is_never_scored_below_the_same_patient_with_normal_vital_signs()
    {
        using var model = Load("complication");
        var now = new DateTimeOffset(2026, 12, 6, 10, 0, 0, TimeSpan.Zero);
        Measurement At(double v) => new(v, string.Empty, now.AddHours(-1));
        var normal = Vitals() with
        {
            AgeYears = 75, AsOf = now, AdmittedAt = now.AddDays(-1), LengthOfStayDays = 1, EmergentAdmission = true,
            RespiratoryRate = At(16), OxygenSaturation = At(97), SupplementalOxygen = false, SystolicBloodPressure = At(125),
            HeartRate = At(75), Consciousness = Consciousness.Alert, Temperature = At(37.0),
        };
        var cases = new (string Change, ClinicalFeatures Features)[]
        {
            ("normal set", normal),
            ("systolic 70", normal with { SystolicBloodPressure = At(70) }),
            ("heart rate 30", normal with { HeartRate = At(30) }),
            ("34 °C", normal with { Temperature = At(34.0) }),
            ("unresponsive", normal with { Consciousness = Consciousness.Unresponsive }),
            ("respiratory rate 6", normal with { RespiratoryRate = At(6) }),
            ("every parameter in its 3-point band", normal with
            {
                RespiratoryRate = At(6), OxygenSaturation = At(85), SupplementalOxygen = true, SystolicBloodPressure = At(70),
                HeartRate = At(30), Consciousness = Consciousness.Unresponsive, Temperature = At(34.0),
            }),
        };
        var probabilities = model.Predict([.. cases.Select(c => FeatureCatalog.Vectorize(c.Features))]);
        for (var i = 0; i < cases.Length; i++)
        {
            var explained = ClinicalCds.Domain.Explanations.ScoreExplanations.FromModel(
                ClinicalCds.Domain.Risks.RiskCatalog.Complication, model.Card.SourceLabel, probabilities[i], model.Card.Tiers.Moderate, model.Card.Tiers.High,
                [], cases[i].Features, ClinicalCds.Domain.Explanations.MissingEvidence.None);
            output.WriteLine($"{cases[i].Change}: {probabilities[i]:P1}, card: {explained.Summary}");
            Assert.True(probabilities[i] >= probabilities[0] - 1e-9, $"{cases[i].Change}: {probabilities[i]:P2} below {probabilities[0]:P2}");
        }

        Assert.True(probabilities[^1] > probabilities[0], "the set in collapse raises nothing");
    }

    private static FeatureVector With(FeatureVector row, int index, double? value)
    {
        var values = row.Values.ToArray();
        values[index] = value;
        return row with { Values = values };
    }

    /// <summary>
    /// Issue 31 item 4, no inflation of the well: patients whose labs and vital signs are normal — each lab drawn within the
    /// interval every reference range the MIMIC-IV laboratory charted calls normal (read here from the raw NDJSON), no
    /// creatinine rise, no vital sign beyond NEWS2's 0-point band, alert, on air — and whose other inputs are drawn across
    /// the card: with their labs and vital signs removed, the range the model states holds the estimate they had.
    /// </summary>
    [Theory]
    [MemberData(nameof(Models))]
    public void A_well_patient_whose_labs_and_vital_signs_go_missing_is_told_a_range_that_holds_their_estimate(string name)
    {
        var intervals = MimicNormalIntervals();
        using var model = Load(name);
        var card = model.Card;
        var index = card.Features.Select((f, j) => (f.Name, j)).ToDictionary(p => p.Name, p => p.j, StringComparer.Ordinal);
        string[] zeroWhenNormal =
        [
            "AkiStageKdigo", "RespiratoryRateBelow12PerMin", "RespiratoryRateAbove20PerMin", "OxygenSaturationBelow96Percent", "SystolicBpBelow111MmHg",
            "SystolicBpAbove219MmHg", "HeartRateBelow51PerMin", "HeartRateAbove90PerMin", "TemperatureBelow36_1Celsius", "TemperatureAbove38Celsius",
            "NotAlert", "SupplementalOxygen",
        ];
        var removed = intervals.Keys.Select(k => k.Feature).Distinct().Append("CreatinineChange48hMgDl").Concat(zeroWhenNormal).Select(n => index[n]).ToHashSet();

        var random = new Random(31);
        var well = Rows(card, 200, seed: 31).Select(row =>
        {
            var values = row.Values.ToArray();
            var female = values[index["Female"]] is { } f ? f > 0.5 : (bool?)null;
            foreach (var feature in intervals.Keys.Select(k => k.Feature).Distinct())
            {
                // Sex not recorded: a value both sexes' intervals call normal.
                var (low, high) = female is { } fem ? intervals[(feature, fem)]
                    : (Math.Max(intervals[(feature, true)].Low, intervals[(feature, false)].Low), Math.Min(intervals[(feature, true)].High, intervals[(feature, false)].High));
                values[index[feature]] = Math.Round(low + (random.NextDouble() * (high - low)), 1);
            }

            // No acute kidney injury: a creatinine change under KDIGO's 0.3 mg/dL rise.
            values[index["CreatinineChange48hMgDl"]] = Math.Round(-0.3 + (random.NextDouble() * 0.59), 2);
            foreach (var feature in zeroWhenNormal)
            {
                values[index[feature]] = 0;
            }

            return row with { Values = values };
        }).ToList();
        var missing = well.Select(r => r with { Values = [.. r.Values.Select((v, j) => removed.Contains(j) ? null : v)] }).ToList();

        var estimates = model.Predict(well);
        var ranges = model.PlausibleRanges(missing);
        // What the card states: the plausible range, reaching down to how low the estimate could be were the missing labs
        // and vital signs normal.
        var stated = ranges.Select(r => (Low: Math.Min(r.Low, r.IfNormalLow ?? double.NaN), r.High)).ToList();
        var outside = Enumerable.Range(0, well.Count).Where(i => !(estimates[i] >= stated[i].Low - 1e-6 && estimates[i] <= stated[i].High + 1e-6)).ToList();
        var belowPlausible = Enumerable.Range(0, well.Count).Count(i => estimates[i] < ranges[i].Low - 1e-6);
        var ratios = Enumerable.Range(0, well.Count).Select(i => ranges[i].Probability / estimates[i]).Order().ToList();
        var slack = Enumerable.Range(0, well.Count).Select(i => estimates[i] / stated[i].Low).Order().ToList();
        output.WriteLine($"{name}: {belowPlausible} of {well.Count} below the plausible range, {outside.Count} outside the stated one; served/normal median {ratios[ratios.Count / 2]:F2}, "
            + $"max {ratios[^1]:F2}; normal/stated low median {slack[slack.Count / 2]:F2}, max {slack[^1]:F2}");
        Assert.True(outside.Count == 0, string.Join("\n", outside.Take(10).Select(i => $"row {i}: normal {estimates[i]:P2}, stated {stated[i].Low:P2} to {stated[i].High:P2}")));
    }

    /// <summary>
    /// The labs the readmission and complication models read, by MIMIC-IV lab item, and per sex the interval every reference
    /// range charted with that item's results calls normal (their intersection), read from the raw NDJSON; and these are
    /// the product's normal limits.
    /// </summary>
    private static Dictionary<(string Feature, bool Female), (double Low, double High)> MimicNormalIntervals()
    {
        var items = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["51222"] = "HemoglobinGdl", ["51301"] = "WhiteBloodCellsPerNl", ["50983"] = "SodiumMmolL",
            ["50971"] = "PotassiumMmolL", ["50912"] = "CreatinineMgDl", ["50862"] = "AlbuminGdl",
        };
        var female = Ndjson("MimicPatient").ToDictionary(p => "Patient/" + p.GetProperty("id").GetString(), p => p.GetProperty("gender").GetString() == "female", StringComparer.Ordinal);
        var intervals = new Dictionary<(string Feature, bool Female), (double Low, double High)>();
        foreach (var o in Ndjson("MimicObservationLabevents"))
        {
            if (!items.TryGetValue(o.GetProperty("code").GetProperty("coding")[0].GetProperty("code").GetString()!, out var feature)
                || !o.TryGetProperty("referenceRange", out var range))
            {
                continue;
            }

            var key = (feature, female[o.GetProperty("subject").GetProperty("reference").GetString()!]);
            var (low, high) = (range[0].GetProperty("low").GetProperty("value").GetDouble(), range[0].GetProperty("high").GetProperty("value").GetDouble());
            intervals[key] = intervals.TryGetValue(key, out var seen) ? (Math.Max(seen.Low, low), Math.Min(seen.High, high)) : (low, high);
        }

        Assert.Equal(12, intervals.Count);
        foreach (var ((feature, isFemale), (low, high)) in intervals)
        {
            var product = NormalLimits.Of(feature, isFemale);
            Assert.True(product is not null && product.Low == low && product.High == high && product.IncludesHigh, $"{feature} female={isFemale}: MIMIC-IV {low}-{high}, product {product}");
        }

        return intervals;
    }

    private static IEnumerable<System.Text.Json.JsonElement> Ndjson(string name)
    {
        using var reader = new StreamReader(new System.IO.Compression.GZipStream(File.OpenRead(Path.Combine(Fixtures.MimicDirectory, $"{name}.ndjson.gz")), System.IO.Compression.CompressionMode.Decompress));
        while (reader.ReadLine() is { } line)
        {
            yield return System.Text.Json.JsonDocument.Parse(line).RootElement.Clone();
        }
    }
}
