using System.CommandLine;

namespace ClinicalCds.Cli.Commands;

internal static class SynthCommand
{
    public static Command Create()
    {
        var command = new Command("synth", "Write a synthetic population as FHIR NDJSON.");
        command.SetAction(_ => 2);
        return command;
    }
}
