using System.Globalization;

namespace ClinicalCds.Domain.Scores;

/// <summary>Level of consciousness on the ACVPU scale; anything but Alert scores 3 in NEWS2.</summary>
public enum Consciousness
{
    Alert,
    NewConfusion,
    Voice,
    Pain,
    Unresponsive,
}

/// <summary>
/// An observation set for NEWS2. A parameter not recorded is null; that includes oxygen: neither flow nor FiO2 charted
/// is "not recorded", scored 0 like every missing parameter and listed as missing, never silently "air".
/// <see cref="UseSpO2Scale2"/> is for patients with hypercapnic respiratory failure and a prescribed target of 88–92 %.
/// </summary>
public sealed record News2Input(
    double? RespiratoryRatePerMin,
    double? SpO2Percent,
    bool? OnSupplementalOxygen,
    double? SystolicBpMmHg,
    double? PulsePerMin,
    Consciousness? Consciousness,
    double? TemperatureCelsius,
    bool UseSpO2Scale2);

/// <summary>
/// National Early Warning Score 2: Royal College of Physicians, NEWS2, London 2017 (Chart 1 and the clinical
/// response thresholds). Values are read at the chart's precision first (whole numbers; temperature to 0.1 °C),
/// so 11.6 breaths/min is charted as 12.
/// </summary>
public static class News2
{
    public static int RespiratoryRatePoints(double perMin) => Math.Round(perMin, MidpointRounding.AwayFromZero) switch
    {
        <= 8 => 3,
        <= 11 => 1,
        <= 20 => 0,
        <= 24 => 2,
        _ => 3,
    };

    /// <summary>SpO2 scale 1 (the default): ≤91 → 3, 92–93 → 2, 94–95 → 1, ≥96 → 0.</summary>
    public static int SpO2Scale1Points(double percent) => Math.Round(percent, MidpointRounding.AwayFromZero) switch
    {
        <= 91 => 3,
        <= 93 => 2,
        <= 95 => 1,
        _ => 0,
    };

    /// <summary>
    /// SpO2 scale 2 (hypercapnic respiratory failure): ≤83 → 3, 84–85 → 2, 86–87 → 1, 88–92 or ≥93 on air → 0,
    /// 93–94 on oxygen → 1, 95–96 on oxygen → 2, ≥97 on oxygen → 3.
    /// </summary>
    public static int SpO2Scale2Points(double percent, bool onOxygen) => Math.Round(percent, MidpointRounding.AwayFromZero) switch
    {
        <= 83 => 3,
        <= 85 => 2,
        <= 87 => 1,
        <= 92 => 0,
        _ when !onOxygen => 0,
        <= 94 => 1,
        <= 96 => 2,
        _ => 3,
    };

    /// <summary>Air or oxygen: supplemental oxygen → 2.</summary>
    public static int OxygenPoints(bool onOxygen) => onOxygen ? 2 : 0;

    public static int SystolicPoints(double mmHg) => Math.Round(mmHg, MidpointRounding.AwayFromZero) switch
    {
        <= 90 => 3,
        <= 100 => 2,
        <= 110 => 1,
        <= 219 => 0,
        _ => 3,
    };

    public static int PulsePoints(double perMin) => Math.Round(perMin, MidpointRounding.AwayFromZero) switch
    {
        <= 40 => 3,
        <= 50 => 1,
        <= 90 => 0,
        <= 110 => 1,
        <= 130 => 2,
        _ => 3,
    };

    /// <summary>The ACVPU level as a chart says it: "alert", "new confusion", "responds to voice", "responds to pain", "unresponsive".</summary>
    public static string LevelInWords(Consciousness level) => level switch
    {
        Consciousness.Alert => "alert",
        Consciousness.NewConfusion => "new confusion",
        Consciousness.Voice => "responds to voice",
        Consciousness.Pain => "responds to pain",
        _ => "unresponsive",
    };

    /// <summary>Alert → 0; new confusion, voice, pain or unresponsive → 3.</summary>
    public static int ConsciousnessPoints(Consciousness level) => level == Consciousness.Alert ? 0 : 3;

    public static int TemperaturePoints(double celsius) => Math.Round(celsius, 1, MidpointRounding.AwayFromZero) switch
    {
        <= 35.0 => 3,
        <= 36.0 => 1,
        <= 38.0 => 0,
        <= 39.0 => 1,
        _ => 2,
    };

    /// <summary>
    /// Clinical risk: aggregate 0–4 low (low-medium when any single parameter scores 3), 5–6 medium, ≥7 high.
    /// </summary>
    public static string RiskCategory(int total, bool anySingleParameterScoredThree) => total switch
    {
        >= 7 => "high",
        >= 5 => "medium",
        _ when anySingleParameterScoredThree => "low-medium",
        _ => "low",
    };

    public static ScoreResult Score(News2Input input)
    {
        var missing = new List<string>();
        var components = new List<ScoreComponent>();

        void Add(string name, double? value, string unit, string format, Func<double, int> points)
        {
            if (value is { } v)
            {
                components.Add(new ScoreComponent(name, $"{v.ToString(format, CultureInfo.InvariantCulture)} {unit}".TrimEnd(), points(v)));
            }
            else
            {
                components.Add(new ScoreComponent(name, "not recorded", 0));
                missing.Add(name);
            }
        }

        // The chart's parameters in the words the rest of the product uses for the same measurements (the RCP chart
        // says "Respiration rate", "SpO2 Scale 1", "Pulse"), so that a card's factors and its NEWS2 line agree.
        Add("Respiratory rate", input.RespiratoryRatePerMin, "/min", "0", RespiratoryRatePoints);
        Add(input.UseSpO2Scale2 ? "Oxygen saturation (SpO2 scale 2)" : "Oxygen saturation (SpO2 scale 1)", input.SpO2Percent, "%", "0",
            input.UseSpO2Scale2 ? v => SpO2Scale2Points(v, input.OnSupplementalOxygen == true) : SpO2Scale1Points);
        if (input.OnSupplementalOxygen is { } onOxygen)
        {
            components.Add(new ScoreComponent("Air or oxygen", onOxygen ? "oxygen" : "air", OxygenPoints(onOxygen)));
        }
        else
        {
            components.Add(new ScoreComponent("Air or oxygen", "not recorded", 0));
            missing.Add("Air or oxygen");
        }
        Add("Systolic blood pressure", input.SystolicBpMmHg, "mmHg", "0", SystolicPoints);
        Add("Heart rate", input.PulsePerMin, "/min", "0", PulsePoints);
        if (input.Consciousness is { } level)
        {
            components.Add(new ScoreComponent("Consciousness", LevelInWords(level), ConsciousnessPoints(level)));
        }
        else
        {
            components.Add(new ScoreComponent("Consciousness", "not recorded", 0));
            missing.Add("Consciousness");
        }

        Add("Temperature", input.TemperatureCelsius, "°C", "0.0", TemperaturePoints);
        var total = components.Sum(c => c.Points);
        return new ScoreResult(
            "NEWS2",
            "Royal College of Physicians, National Early Warning Score 2, 2017",
            total,
            RiskCategory(total, components.Any(c => c.Points == 3)),
            components,
            missing);
    }
}
