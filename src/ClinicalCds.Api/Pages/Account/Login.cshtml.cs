using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ClinicalCds.Api.Pages.Account;

/// <summary>
/// Sign-in by email and password (issue 33 item 3): every failure answers the same words after the same work — an
/// account that does not exist has a password hash checked all the same — and repeated failures slow the address that
/// makes them (<see cref="ClinicalCds.Api.Admin.SignInThrottle"/>), never lock the account for everyone.
/// </summary>
public sealed class LoginModel(
    SignInManager<IdentityUser> signIn, UserManager<IdentityUser> users, IPasswordHasher<IdentityUser> hasher,
    ClinicalCds.Api.Admin.SignInThrottle throttle, ClinicalCds.Api.Admin.HospitalSignInOptions hospital) : PageModel
{
    /// <summary>A hash of no one's password, checked when the account does not exist so that the answer takes as long.</summary>
    private static readonly Lazy<string> NoOnesHash = new(() => new PasswordHasher<IdentityUser>().HashPassword(new IdentityUser(), Guid.NewGuid().ToString()));

    public const string NotCorrect = "The email or password is not correct.";

    public const string TooMany = "Too many failed sign-ins from this network. Try again in 15 minutes.";

    public ClinicalCds.Api.Admin.HospitalSignInOptions Hospital => hospital;

    [BindProperty]
    public string? Email { get; set; }

    [BindProperty]
    public string? Password { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public string? Error { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var address = HttpContext.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        var email = Email ?? string.Empty;
        if (throttle.Refused(address, email))
        {
            Error = TooMany;
            return Page();
        }

        var user = string.IsNullOrEmpty(email) ? null : await users.FindByEmailAsync(email);
        if (user is null || string.IsNullOrEmpty(Password))
        {
            // The same work as a wrong password for a real account: a hash verified, then the same answer.
            hasher.VerifyHashedPassword(new IdentityUser(), NoOnesHash.Value, Password ?? string.Empty);
        }
        else if ((await signIn.CheckPasswordSignInAsync(user, Password, lockoutOnFailure: false)).Succeeded)
        {
            throttle.Succeeded(address, email);
            await signIn.SignInAsync(user, isPersistent: false);
            return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl! : "/worklist");
        }

        throttle.Failed(address, email);
        Error = NotCorrect;
        return Page();
    }

    /// <summary>Off to the hospital's identity provider; it comes back to /account/external.</summary>
    public IActionResult OnPostHospital()
    {
        if (!hospital.Enabled)
        {
            return NotFound();
        }

        var back = Url.Page("/Account/External", new { returnUrl = Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : "/worklist" });
        return Challenge(signIn.ConfigureExternalAuthenticationProperties(ClinicalCds.Api.Admin.HospitalSignInOptions.Scheme, back), ClinicalCds.Api.Admin.HospitalSignInOptions.Scheme);
    }
}
