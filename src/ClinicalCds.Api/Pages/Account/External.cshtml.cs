using ClinicalCds.Api.Admin;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ClinicalCds.Api.Pages.Account;

/// <summary>
/// Back from the hospital's identity provider: the account of the provider's issuer and subject, with the provider's
/// roles, is signed in; or the page says why not, with the reference the log holds.
/// </summary>
public sealed class ExternalModel(
    SignInManager<IdentityUser> signIn, UserManager<IdentityUser> users, RoleManager<IdentityRole> roles, HospitalSignInOptions hospital) : PageModel
{
    public string? Error { get; private set; }

    /// <summary>Where the signed-in person goes next, by a navigation of this site's own (see <see cref="OnGetAsync"/>).</summary>
    public string? Continue { get; private set; }

    public async Task<IActionResult> OnGetAsync(string? returnUrl, string? failed)
    {
        if (failed is not null)
        {
            Error = HospitalSignInFailure.IsReference(failed)
                ? $"The sign-in with the hospital's identity provider did not succeed. If it happens again, give the help desk this reference: {failed}."
                : "The sign-in with the hospital's identity provider did not succeed.";
            return Page();
        }

        var login = await HttpContext.AuthenticateAsync(IdentityConstants.ExternalScheme);
        if (!login.Succeeded || login.Principal is null)
        {
            Error = "The sign-in with the identity provider did not complete. Please try again.";
            return Page();
        }

        await HttpContext.SignOutAsync(IdentityConstants.ExternalScheme);
        var (outcome, user, error) = await HospitalAccounts.SignInAsync(users, roles, login.Principal, hospital.RolesOf(login.Principal), hospital.DisplayName);
        switch (outcome)
        {
            case HospitalSignInOutcome.NoRole:
                return RedirectToPage("/Account/Denied", new { reason = "no-role" });
            case HospitalSignInOutcome.Refused:
                Error = error;
                return Page();
        }

        if (await users.IsLockedOutAsync(user!))
        {
            Error = "This account is locked. Ask an administrator.";
            return Page();
        }

        // The ID token names this session when the person signs out at the provider too (RP-initiated logout).
        var properties = new AuthenticationProperties();
        if (login.Properties?.GetTokenValue("id_token") is { } idToken)
        {
            properties.StoreTokens([new AuthenticationToken { Name = "id_token", Value = idToken }]);
        }

        await signIn.SignInWithClaimsAsync(user!, properties, [new System.Security.Claims.Claim("amr", HospitalSignInOptions.Scheme)]);
        // This request ends a redirect chain that began at the provider, another site: a browser withholds the SameSite=Strict
        // session cookie on it. The next page is reached by a navigation of this page's own, which carries it (issue 36).
        Continue = Url.IsLocalUrl(returnUrl) ? returnUrl : "/worklist";
        return Page();
    }
}
