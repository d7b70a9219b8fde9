using System.CommandLine;
using System.Security.Cryptography;
using ClinicalCds.Api.Admin;
using Spectre.Console;

namespace ClinicalCds.Cli.Commands;

/// <summary>
/// clinicalcds users add --email E --role admin|care-manager [--password P] — create an account, or give an existing one
/// another role (its password unchanged); clinicalcds users reset-password --email E [--password P] — a new password;
/// clinicalcds users link --email E --issuer I --subject S — the account signs in through the hospital's provider as that person.
/// </summary>
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
        var add = new Command("add", "Create a user, or add a role to an existing one (whose password stays as it is).") { email, role, password };
        add.SetAction(parse => WithIdentity(async services =>
        {
            var given = GivenPassword(parse.GetValue(password));
            var exists = await AdminAuthentication.UserExistsAsync(services, parse.GetValue(email)!);
            if (exists && given is not null)
            {
                // Never print or take a password that would not be the account's: the old one keeps working.
                AnsiConsole.MarkupLineInterpolated(
                    $"[red]error:[/] {parse.GetValue(email)} already exists and keeps its password; to change it, run users reset-password.");
                return 2;
            }

            var secret = given ?? NewPassword();
            if (await AdminAuthentication.EnsureUserAsync(services, parse.GetValue(email)!, secret, parse.GetValue(role)!) is { } error)
            {
                AnsiConsole.MarkupLineInterpolated($"[red]error:[/] {error}");
                return 2;
            }

            AnsiConsole.MarkupLineInterpolated($"User {parse.GetValue(email)} has the role {parse.GetValue(role)}.");
            if (exists)
            {
                AnsiConsole.MarkupLine("The account already existed; its password is unchanged.");
            }
            else if (given is null)
            {
                AnsiConsole.MarkupLineInterpolated($"Password (shown once): {secret}");
            }

            return 0;
        }));

        var reset = new Command("reset-password", "Give an existing user a new password.") { email, password };
        reset.SetAction(parse => WithIdentity(async services =>
        {
            var given = GivenPassword(parse.GetValue(password));
            var secret = given ?? NewPassword();
            if (await AdminAuthentication.ResetPasswordAsync(services, parse.GetValue(email)!, secret) is { } error)
            {
                AnsiConsole.MarkupLineInterpolated($"[red]error:[/] {error}");
                return 2;
            }

            AnsiConsole.MarkupLineInterpolated($"User {parse.GetValue(email)} has a new password; the old one no longer works.");
            if (given is null)
            {
                AnsiConsole.MarkupLineInterpolated($"Password (shown once): {secret}");
            }

            return 0;
        }));
        var issuer = new Option<string>("--issuer") { Description = "The hospital identity provider's issuer (as its ID tokens say it).", Required = true };
        var subject = new Option<string>("--subject") { Description = "The person's subject at that provider (the ID token's sub).", Required = true };
        var link = new Command("link", "Link an existing account to a person's hospital sign-in (accounts are never linked by email).") { email, issuer, subject };
        link.SetAction(parse => WithIdentity(async services =>
        {
            var users = services.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<Microsoft.AspNetCore.Identity.IdentityUser>>();
            if (await HospitalAccounts.LinkAsync(users, parse.GetValue(email)!, parse.GetValue(issuer)!, parse.GetValue(subject)!) is { } error)
            {
                AnsiConsole.MarkupLineInterpolated($"[red]error:[/] {error}");
                return 2;
            }

            AnsiConsole.MarkupLineInterpolated($"{parse.GetValue(email)} now signs in as {parse.GetValue(subject)} of {parse.GetValue(issuer)}.");
            return 0;
        }));
        return new Command("users", "Manage worklist users.") { add, reset, link };
    }

    private static Task<int> WithIdentity(Func<IServiceProvider, Task<int>> verb) =>
        CliHost.RunAsync(builder => builder.Services.AddAdminAuthentication(builder.Configuration), verb);

    private static string? GivenPassword(string? option) => option ?? Environment.GetEnvironmentVariable("CLINICALCDS_PASSWORD");

    private static string NewPassword() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)).Replace('/', 'x').Replace('+', 'y');
}
