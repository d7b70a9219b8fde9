using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ClinicalCds.Api.Pages.Account;

/// <summary>
/// Sign-out ends the user's sessions on the server (issue 33 item 5): a new security stamp makes every cookie issued
/// before it invalid at its next request — this browser's, a copy of it, and the user's other browsers.
/// </summary>
public sealed class LogoutModel(SignInManager<IdentityUser> signIn, UserManager<IdentityUser> users) : PageModel
{
    public IActionResult OnGet() => Redirect("/worklist");

    public async Task<IActionResult> OnPostAsync()
    {
        if (await users.GetUserAsync(User) is { } user)
        {
            await users.UpdateSecurityStampAsync(user);
        }

        await signIn.SignOutAsync();
        return Redirect("/account/login");
    }
}
