using System.CommandLine;
using ClinicalCds.Api.Hosting;

namespace ClinicalCds.Cli.Commands;

internal static class ServeCommand
{
    public static Command Create()
    {
        var urls = new Option<string>("--urls") { Description = "URLs to listen on, e.g. http://127.0.0.1:5080", DefaultValueFactory = _ => "http://127.0.0.1:5080" };
        var command = new Command("serve", "Run the web server (FHIR API, CDS Hooks, worklist).") { urls };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction((parse, ct) => CliHost.Guarded(async () =>
        {
            var app = WebApp.Build(["--urls", parse.GetValue(urls)!, .. parse.UnmatchedTokens]);
            await app.RunAsync(ct);
            return 0;
        }));
        return command;
    }
}
