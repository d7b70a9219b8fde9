using ClinicalCds.Api.Admin;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ClinicalCds.Api.Pages.Account;

/// <summary>Back from the hospital's identity provider: the linked account, with the provider's roles, is signed in.</summary>
public sealed class ExternalModel(
    SignInManager<IdentityUser> signIn, UserManager<IdentityUser> users, RoleManager<IdentityRole> roles, HospitalSignInOptions hospital) : PageModel
{
    public string? Error { get; private set; }

    public async Task<IActionResult> OnGetAsync(string? returnUrl)
    {
        var login = await signIn.GetExternalLoginInfoAsync();
        if (login is null)
        {
            Error = "The sign-in with the identity provider did not complete. Please try again.";
            return Page();
        }

        await HttpContext.SignOutAsync(IdentityConstants.ExternalScheme);
        var granted = hospital.RolesOf(login.Principal);
        if (granted.Count == 0)
        {
            return RedirectToPage("/Account/Denied");
        }

        var (user, error) = await HospitalAccounts.LinkAsync(users, roles, login, granted);
        if (user is null)
        {
            Error = error;
            return Page();
        }

        if (await users.IsLockedOutAsync(user))
        {
            Error = "This account is locked. Ask an administrator.";
            return Page();
        }

        await signIn.SignInAsync(user, isPersistent: false, authenticationMethod: login.LoginProvider);
        return LocalRedirect(Url.IsLocalUrl(returnUrl) ? returnUrl : "/worklist");
    }
}
