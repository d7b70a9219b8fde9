using System.CommandLine;
using System.Security.Cryptography;
using ClinicalCds.Api.Admin;
using Spectre.Console;

namespace ClinicalCds.Cli.Commands;

/// <summary>clinicalcds users add --email E --role admin|care-manager [--password P]: accounts of the worklist.</summary>
internal static class UsersCommand
{
    public static Command Create()
    {
        var email = new Option<string>("--email") { Description = "The user's email (their sign-in name).", Required = true };
        var role = new Option<string>("--role") { Description = "admin or care-manager.", Required = true };
        var password = new Option<string?>("--password")
        {
            Description = "At least 12 characters; default: read CLINICALCDS_PASSWORD, else generate one and print it once.",
        };
        var add = new Command("add", "Create a user (or add a role to an existing one).") { email, role, password };
        add.SetAction(parse => CliHost.RunAsync(
            builder => builder.Services.AddAdminAuthentication(builder.Configuration),
            async services =>
            {
                var given = parse.GetValue(password) ?? Environment.GetEnvironmentVariable("CLINICALCDS_PASSWORD");
                var secret = given ?? Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)).Replace('/', 'x').Replace('+', 'y');
                if (await AdminAuthentication.EnsureUserAsync(services, parse.GetValue(email)!, secret, parse.GetValue(role)!) is { } error)
                {
                    AnsiConsole.MarkupLineInterpolated($"[red]error:[/] {error}");
                    return 2;
                }

                AnsiConsole.MarkupLineInterpolated($"User {parse.GetValue(email)} has the role {parse.GetValue(role)}.");
                if (given is null)
                {
                    AnsiConsole.MarkupLineInterpolated($"Password (shown once): {secret}");
                }

                return 0;
            }));
        return new Command("users", "Manage worklist users.") { add };
    }
}
