using System.CommandLine;
using ClinicalCds.Cli.Commands;

var root = new RootCommand("ClinicalCds: CDS Hooks server, FHIR store and risk models for readmission and deterioration.");
root.Subcommands.Add(DbCommands.Create());
root.Subcommands.Add(ImportCommand.Create());
root.Subcommands.Add(RederiveCommand.Create());
root.Subcommands.Add(SynthCommand.Create());
root.Subcommands.Add(FeaturesCommand.Create());
root.Subcommands.Add(CoverageCommand.Create());
root.Subcommands.Add(DatasetCommand.Create());
root.Subcommands.Add(TrainCommand.Create());
root.Subcommands.Add(ScoreCommand.Create());
root.Subcommands.Add(WorkerCommand.Create());
root.Subcommands.Add(UsersCommand.Create());
root.Subcommands.Add(ServeCommand.Create());
return await root.Parse(args).InvokeAsync();
