namespace ClinicalCds.Api.Hosting;

/// <summary>
/// Response headers every answer carries: no MIME sniffing, no framing, no referrer, and a Content-Security-Policy
/// that lets our server-rendered pages load nothing but their own origin's styles and images and run no script at
/// all. The two third-party UIs mounted here (the jobs dashboard and the API reference) run their own scripts, so
/// they get the same headers without the CSP. HSTS is added by UseHsts on requests that arrived over TLS (directly, or
/// through a proxy when ASPNETCORE_FORWARDEDHEADERS_ENABLED=true). Every answer that does not set its own caching is
/// <c>Cache-Control: no-store</c> (issue 33 item 7): the API, FHIR, CDS Hooks, the worklist and its CSV carry patient data
/// that no browser or proxy cache may keep.
/// </summary>
public static class SecurityHeaders
{
    public const string ContentSecurityPolicy =
        "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    /// <summary>
    /// The policy with the hospital's identity provider among the form's destinations: the sign-in button posts here and
    /// is redirected there, and a browser applies form-action to the redirect too (issue 36).
    /// </summary>
    public static string PolicyWith(string? providerOrigin) => providerOrigin is null
        ? ContentSecurityPolicy
        : ContentSecurityPolicy.Replace("form-action 'self'", $"form-action 'self' {providerOrigin}", StringComparison.Ordinal);

    private static readonly string[] ScriptedUis = ["/jobs", "/api/reference"];

    /// <summary>Set as the response starts, so that answers written by the exception handler carry them too.</summary>
    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app)
    {
        var policy = PolicyWith(app.ApplicationServices.GetRequiredService<Admin.HospitalSignInOptions>().ProviderOrigin);
        return app.Use((context, next) => Headers(context, next, policy));
    }

    private static Task Headers(HttpContext context, RequestDelegate next, string policy)
    {
        // Decided now: a mounted UI rewrites Path (and PathBase) while it runs.
        var scripted = ScriptedUis.Any(prefix => context.Request.Path.StartsWithSegments(prefix));
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            if (string.IsNullOrEmpty(headers.CacheControl))
            {
                headers.CacheControl = "no-store";
            }

            if (!scripted)
            {
                headers.ContentSecurityPolicy = policy;
            }

            return Task.CompletedTask;
        });
        return next(context);
    }
}
