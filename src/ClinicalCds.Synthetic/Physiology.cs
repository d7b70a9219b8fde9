using ClinicalCds.Domain.Scores;
using static ClinicalCds.Domain.Models.Logistic;

namespace ClinicalCds.Synthetic;

/// <summary>
/// How one illness deranges the vital signs as its severity rises: which way each parameter moves (a stay's own
/// presentation) and how much. Real physiology is U-shaped — NEWS2 scores bradycardia and tachycardia, hypothermia and
/// fever, bradypnoea and tachypnoea (Royal College of Physicians, NEWS2, 2017, Chart 1) — so a parameter moves away from
/// the patient's normal in the direction this stay's illness takes it, never "healthier" with severity.
/// </summary>
/// <param name="HeartRate">+1 tachycardia (sepsis, hypovolaemia, hypoxia, arrhythmia), −1 bradycardia (conduction disease, drugs, raised intracranial pressure, pre-arrest).</param>
/// <param name="Respiration">+1 tachypnoea, −1 bradypnoea (opioid narcosis, hypercapnic exhaustion, reduced consciousness).</param>
/// <param name="Temperature">+1 fever, −1 hypothermia (sepsis presents hypothermic in a minority), 0 neither.</param>
/// <param name="Weights">How strongly each parameter takes part, in NEWS2's order: respiration, saturation, blood pressure, heart rate, temperature.</param>
internal sealed record Presentation(int HeartRate, int Respiration, int Temperature, double[] Weights)
{
    /// <summary>
    /// A stay's presentation. Shares are our assumptions, ordered as ward deterioration is usually described: most is
    /// septic, respiratory or haemodynamic (tachycardia, tachypnoea, hypotension, hypoxaemia), a minority bradycardic or
    /// bradypnoeic; cardiac patients more often bradycardic.
    /// </summary>
    public static Presentation Draw(Rng rng, bool cardiac)
    {
        var heart = rng.Chance(cardiac ? 0.3 : 0.15) ? -1 : 1;
        var respiration = rng.Chance(0.1) ? -1 : 1;
        var u = rng.Uniform();
        var temperature = u < 0.55 ? 1 : u < 0.7 ? -1 : 0;
        return new Presentation(heart, respiration, temperature, [.. Enumerable.Range(0, 5).Select(_ => rng.Uniform(0.5, 1.5))]);
    }

    /// <summary>
    /// Physiological derangement at severity <paramref name="severity"/>: near zero while the patient is compensated
    /// (severity well below 1), rising about linearly beyond (softplus).
    /// </summary>
    public static double Derangement(double severity) => Math.Log(1 + Math.Exp(severity - 1.3));

    /// <summary>
    /// The patient's true vital signs at a severity: a normal baseline with the spread of healthy adults, moved by the
    /// derangement in this presentation's directions. Oxygen saturation on scale 1; with COPD two points lower at baseline.
    /// </summary>
    public News2Input Sample(Rng rng, double severity, bool copd, bool dementia)
    {
        var d = Derangement(severity);
        var respiratoryRate = Math.Round(Math.Clamp(rng.Normal(16, 2) + (Respiration * Weights[0] * (Respiration > 0 ? 4.5 : 3.0) * d), 4, 50));
        var saturation = Math.Round(Math.Clamp(rng.Normal(97.5, 1.3) - (copd ? 2 : 0) - (Weights[1] * 3.5 * d), 70, 100));
        var systolic = Math.Round(Math.Clamp(rng.Normal(128, 14) - (Weights[2] * 17 * d), 50, 230));
        var heartRate = Math.Round(Math.Clamp(rng.Normal(78, 9) + (HeartRate * Weights[3] * (HeartRate > 0 ? 18 : 12) * d), 25, 190));
        var celsius = Math.Round(Math.Clamp(rng.Normal(36.9, 0.3) + (Temperature * Weights[4] * (Temperature > 0 ? 0.8 : 0.7) * d), 32.0, 42.0), 1);
        var level = Consciousness.Alert;
        if (rng.Chance(Sigmoid(-4.2 + (1.4 * d) + (dementia ? 1.0 : 0))))
        {
            var r = rng.Uniform();
            level = r < 0.6 ? Consciousness.NewConfusion : r < 0.85 ? Consciousness.Voice : r < 0.95 ? Consciousness.Pain : Consciousness.Unresponsive;
        }

        var onOxygen = rng.Chance(Sigmoid(-2.4 + (1.1 * d) + (copd ? 1.0 : 0)));
        return new News2Input(respiratoryRate, saturation, onOxygen, systolic, heartRate, level, celsius, UseSpO2Scale2: false);
    }
}
