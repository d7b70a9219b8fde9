using ClinicalCds.Api.Admin;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace ClinicalCds.Api.Pages.Account;

/// <summary>
/// Sign-out ends the user's sessions on the server (issue 33 item 5): a new security stamp makes every cookie issued
/// before it invalid at its next request — this browser's, a copy of it, and the user's other browsers. A person who
/// signed in at the hospital's provider is then signed out there too, when the provider offers it (OpenID Connect
/// RP-Initiated Logout 1.0: its end_session_endpoint, with the ID token as the hint).
/// </summary>
public sealed class LogoutModel(
    SignInManager<IdentityUser> signIn, UserManager<IdentityUser> users, HospitalSignInOptions hospital, IServiceProvider services) : PageModel
{
    public IActionResult OnGet() => Redirect("/worklist");

    public async Task<IActionResult> OnPostAsync()
    {
        var idToken = hospital.Enabled ? await HttpContext.GetTokenAsync(IdentityConstants.ApplicationScheme, "id_token") : null;
        if (await users.GetUserAsync(User) is { } user)
        {
            await users.UpdateSecurityStampAsync(user);
        }

        await signIn.SignOutAsync();
        var signedOut = "/account/login";
        if (idToken is null)
        {
            return Redirect(signedOut);
        }

        var oidc = services.GetRequiredService<IOptionsMonitor<OpenIdConnectOptions>>().Get(HospitalSignInOptions.Scheme);
        try
        {
            var configuration = await oidc.ConfigurationManager!.GetConfigurationAsync(HttpContext.RequestAborted);
            if (string.IsNullOrEmpty(configuration.EndSessionEndpoint))
            {
                return Redirect(signedOut);
            }

            return Redirect(QueryHelpers.AddQueryString(configuration.EndSessionEndpoint, new Dictionary<string, string?>
            {
                ["id_token_hint"] = idToken,
                ["client_id"] = hospital.ClientId,
                ["post_logout_redirect_uri"] = $"{Request.Scheme}://{Request.Host}{signedOut}",
            }));
        }
        catch (InvalidOperationException)
        {
            // The provider cannot be reached: the session here has ended all the same.
            return Redirect(signedOut);
        }
    }
}
