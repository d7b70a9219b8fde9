using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ClinicalCds.Api.Pages.Account;

/// <summary>Sign-in with lockout after repeated failures (Identity: 5 attempts, 15 minutes).</summary>
public sealed class LoginModel(SignInManager<IdentityUser> signIn, ClinicalCds.Api.Admin.HospitalSignInOptions hospital) : PageModel
{
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
        var result = string.IsNullOrEmpty(Email) || string.IsNullOrEmpty(Password)
            ? Microsoft.AspNetCore.Identity.SignInResult.Failed
            : await signIn.PasswordSignInAsync(Email, Password, isPersistent: false, lockoutOnFailure: true);
        if (result.Succeeded)
        {
            return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl! : "/worklist");
        }

        Error = result.IsLockedOut
            ? "This account is locked after repeated failed sign-ins. Try again in 15 minutes or ask an administrator."
            : "The email or password is not correct.";
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
