using ClinicalCds.Domain.Scores;

namespace ClinicalCds.Domain.Features;

/// <summary>Reads an ACVPU answer (LOINC 67775-7) coded in SNOMED CT or as its letter.</summary>
public static class Acvpu
{
    private static readonly Dictionary<string, Consciousness> Codes = new(StringComparer.OrdinalIgnoreCase)
    {
        ["248234008"] = Consciousness.Alert, // Mentally alert
        ["130987000"] = Consciousness.NewConfusion, // Acute confusion
        ["300202002"] = Consciousness.Voice, // Responds to voice
        ["450847001"] = Consciousness.Pain, // Responds to pain
        ["422768004"] = Consciousness.Unresponsive, // Unresponsive
        ["A"] = Consciousness.Alert,
        ["C"] = Consciousness.NewConfusion,
        ["V"] = Consciousness.Voice,
        ["P"] = Consciousness.Pain,
        ["U"] = Consciousness.Unresponsive,
        ["Alert"] = Consciousness.Alert,
        ["Confusion"] = Consciousness.NewConfusion,
        ["Voice"] = Consciousness.Voice,
        ["Pain"] = Consciousness.Pain,
        ["Unresponsive"] = Consciousness.Unresponsive,
    };

    public static Consciousness? Read(string? code) => code is not null && Codes.TryGetValue(code.Trim(), out var level) ? level : null;
}
