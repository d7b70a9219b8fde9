using System.CommandLine;
using ClinicalCds.Cli.Commands;
using Spectre.Console;

// A pipe or a log file is not a terminal: no colour codes, no live widgets, and tables take their natural width (never
// cut mid-word to Spectre's 80-column guess) with ASCII borders (CliOutput).
if (Console.IsOutputRedirected)
{
    AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings
    {
        Ansi = AnsiSupport.No,
        ColorSystem = ColorSystemSupport.NoColors,
        Interactive = InteractionSupport.No,
        Out = new AnsiConsoleOutput(Console.Out),
    });
    AnsiConsole.Console.Profile.Width = 1000;
}

var root = new RootCommand("ClinicalCds: CDS Hooks server, FHIR store and risk models for readmission and deterioration.");
root.Subcommands.Add(DbCommands.Create());
root.Subcommands.Add(ImportCommand.Create());
root.Subcommands.Add(RederiveCommand.Create());
root.Subcommands.Add(SynthCommand.Create());
root.Subcommands.Add(FeaturesCommand.Create());
root.Subcommands.Add(CoverageCommand.Create());
root.Subcommands.Add(DatasetCommand.Create());
root.Subcommands.Add(TrainCommand.Create());
root.Subcommands.Add(EvaluateCommand.Create());
root.Subcommands.Add(RecalibrateCommand.Create());
root.Subcommands.Add(ModelsCommand.Create());
root.Subcommands.Add(MonitorCommand.Create());
root.Subcommands.Add(ExportValidationCommand.Create());
root.Subcommands.Add(ScoreCommand.Create());
root.Subcommands.Add(WorkerCommand.Create());
root.Subcommands.Add(UsersCommand.Create());
root.Subcommands.Add(ServeCommand.Create());
return await root.Parse(args).InvokeAsync();
