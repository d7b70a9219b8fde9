using ClinicalCds.Domain.Clinical;
using ClinicalCds.Domain.Units;

namespace ClinicalCds.UnitTests;

public sealed class UnitConversionTests
{
    [Theory]
    // Creatinine: 1 mg/dL = 88.42 µmol/L (molar mass 113.12 g/mol).
    [InlineData(Loinc.CreatinineSerumPlasma, 88.42, "umol/L", 1.0, "mg/dL")]
    [InlineData(Loinc.CreatinineBlood, 176.84, "µmol/L", 2.0, "mg/dL")]
    [InlineData(Loinc.CreatinineSerumPlasma, 1.3, "mg/dL", 1.3, "mg/dL")]
    // Hemoglobin: g/L is ten times g/dL.
    [InlineData(Loinc.HemoglobinMassBlood, 135, "g/L", 13.5, "g/dL")]
    [InlineData(Loinc.AlbuminSerumPlasma, 35, "g/L", 3.5, "g/dL")]
    // Monovalent ions: mEq/L = mmol/L.
    [InlineData(Loinc.SodiumBlood, 138, "meq/L", 138, "mmol/L")]
    [InlineData(Loinc.BodyTemperature, 98.6, "[degF]", 37.0, "Cel")]
    [InlineData(Loinc.LeukocytesBlood, 7.2, "10*9/L", 7.2, "10*3/uL")]
    [InlineData(Loinc.LeukocytesBloodManualCount, 7200, "/uL", 7.2, "10*3/uL")]
    [InlineData(Loinc.CreatinineMolesSerumPlasma, 353.68, "umol/L", 4.0, "mg/dL")]
    [InlineData(Loinc.HemoglobinMassBlood, 8.0, "mmol/L", 12.888, "g/dL")]
    [InlineData(Loinc.InhaledOxygenFlowRate, 2000, "mL/min", 2.0, "L/min")]
    [InlineData(Loinc.SystolicBloodPressure, 16, "kPa", 120.00992, "mm[Hg]")]
    public void Converts_to_the_canonical_unit(string loinc, double value, string unit, double expected, string expectedUnit)
    {
        var converted = UnitConversion.ToCanonical(loinc, value, unit);
        Assert.NotNull(converted);
        Assert.Equal(expected, converted.Value.Value, 6);
        Assert.Equal(expectedUnit, converted.Value.Unit);
    }

    [Fact]
    public void An_unknown_unit_for_a_known_code_is_not_guessed()
    {
        Assert.Null(UnitConversion.ToCanonical(Loinc.CreatinineSerumPlasma, 1.2, "furlongs"));
        Assert.Null(UnitConversion.ToCanonical(Loinc.SodiumSerumPlasma, 140, null));
    }

    [Fact]
    public void A_code_without_a_rule_keeps_its_unit() =>
        Assert.Equal(new CanonicalQuantity(172, "cm"), UnitConversion.ToCanonical("8302-2", 172, "cm"));

    [Theory]
    // MIMIC code repository's bounds (UnitConversion.PlausibleOf): only what no living patient shows is refused.
    [InlineData(Loinc.HemoglobinMassBlood, 154, "g/dL", false)] // g/L labelled g/dL
    [InlineData(Loinc.HemoglobinMassBlood, 154, "g/L", true)]
    [InlineData(Loinc.HemoglobinMassBlood, 50, "g/dL", true)]
    [InlineData(Loinc.PotassiumSerumPlasma, 31, "mmol/L", false)]
    [InlineData(Loinc.SodiumSerumPlasma, 0, "mmol/L", false)]
    [InlineData(Loinc.CreatinineSerumPlasma, 13260, "umol/L", true)] // 150 mg/dL
    [InlineData(Loinc.BodyTemperature, 34.7, "[degF]", false)] // a Celsius reading charted as Fahrenheit: 1.5 °C
    [InlineData(Loinc.BodyTemperature, 95.0, "[degF]", true)]
    [InlineData(Loinc.BodyTemperature, 98.6, "Cel", false)] // a Fahrenheit reading charted as Celsius
    [InlineData(Loinc.HeartRate, 300, "/min", false)]
    [InlineData(Loinc.OxygenSaturationPulseOximetry, 100, "%", true)]
    [InlineData(Loinc.OxygenSaturationPulseOximetry, 0, "%", false)]
    public void A_converted_value_no_living_patient_can_show_is_not_usable(string loinc, double value, string unit, bool usable) =>
        Assert.Equal(usable, UnitConversion.ToCanonical(loinc, value, unit) is not null);
}
