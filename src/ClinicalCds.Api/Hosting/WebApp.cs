using ClinicalCds.Api.Monitoring;
using ClinicalCds.Api.Admin;
using ClinicalCds.Api.CdsHooks;
using ClinicalCds.Api.Scoring;
using ClinicalCds.Infrastructure.Jobs;
using ClinicalCds.Api.Worklist;
using Hangfire;
using Scalar.AspNetCore;
using ClinicalCds.Api.Fhir;
using ClinicalCds.Application.Abstractions;
using ClinicalCds.Application.CdsHooks;
using ClinicalCds.Fhir;
using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Diagnostics;

using ClinicalCds.Infrastructure.CdsHooks;

namespace ClinicalCds.Api.Hosting;

/// <summary>Builds the web application; Program and `clinicalcds serve` both start it through here.</summary>
public static class WebApp
{
    /// <summary>A white cross on the worklist's blue.</summary>
    private const string Favicon =
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 32 32\"><rect width=\"32\" height=\"32\" rx=\"6\" fill=\"#2b6cb0\"/>" +
        "<path d=\"M13 7h6v6h6v6h-6v6h-6v-6H7v-6h6z\" fill=\"#fff\"/></svg>";

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        // The web assembly names the application (its Razor pages and static assets), whichever process hosts it.
        // Its settings come from the executable's folder wherever it is started (see Installation).
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args, ApplicationName = typeof(WebApp).Assembly.GetName().Name, ContentRootPath = Installation.ContentRoot(args),
        });
        PublicAddress.Configure(builder);
        builder.Services.AddClinicalCds(builder.Configuration);
        builder.Services.AddCors(cors => cors.AddPolicy(CdsHooksEndpoints.CorsPolicy, policy =>
        {
            var origins = builder.Configuration.GetSection($"{CdsHooksOptions.Section}:CorsOrigins").Get<string[]>() ?? [];
            policy.WithOrigins(origins).WithMethods("GET", "POST").WithHeaders("Authorization", "Content-Type");
        }));
        builder.Services.AddAdminAuthentication(builder.Configuration);
        builder.Services.AddHostedService<SeedUsers>();
        builder.Services.AddHostedService<TokenReplayPurge>();
        builder.Services.AddRazorPages(pages =>
        {
            pages.Conventions.AuthorizeFolder("/Worklist", AdminAuthentication.CarePolicy);
            pages.Conventions.AllowAnonymousToFolder("/Account");
            pages.Conventions.AuthorizePage("/Models/Index", AdminAuthentication.Policy);
            pages.Conventions.AuthorizeFolder("/Admin", AdminAuthentication.Policy);
            pages.Conventions.AllowAnonymousToPage("/Models/Card");
        }).AddApplicationPart(typeof(WebApp).Assembly);
        builder.Services.AddClinicalCdsHealth();
        builder.Services.AddSingleton<CdsRateLimits>();
        builder.Services.AddOpenApi(ApiDocument.Configure);
        if (builder.Configuration.GetSection(JobsOptions.Section).Get<JobsOptions>() is { RunServerInApi: true } jobs)
        {
            builder.Services.AddClinicalCdsJobServer(jobs);
        }

        configure?.Invoke(builder);
        var app = builder.Build();
        Installation.LogSettings(app.Logger, app.Configuration);
        CompositionRoot.CheckSettings(app.Services);
        // Models load now: a models folder that is not there stops the server at start, loudly; a risk a service or cohort
        // answers with but no model serves is said at start (and by /health/ready): it answers with its published score.
        var loaded = app.Services.GetRequiredService<IRiskModels>();
        foreach (var risk in app.Services.GetRequiredService<Domain.Risks.RiskCatalog>().Names.Where(name => loaded.Find(name) is null))
        {
            app.Logger.LogWarning(
                "No {Risk} model is served from {Models}: its CDS services and runs answer with the published score only (refused: {Refused}).",
                risk, Installation.ModelsRoot(app.Configuration), loaded.Refused.Count == 0 ? "none" : string.Join("; ", loaded.Refused));
        }
        if (app.Services.GetRequiredService<Admin.HospitalSignInOptions>().Problem is { } signInProblem)
        {
            // Sign-in through the provider only: every other route, and local sign-in, work as without it (issue 36 item 5).
            app.Logger.LogError("Hospital sign-in is off: {Problem}", signInProblem);
        }

        if (!app.Services.GetRequiredService<CdsHooksOptions>().RequireAuthentication)
        {
            app.Logger.LogWarning("CDS Hooks client authentication is OFF (CdsHooks:RequireAuthentication=false): for development only.");
        }

        app.UseSecurityHeaders();
        if (!app.Environment.IsDevelopment())
        {
            app.UseHsts();
        }

        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            // A database outage is reported by DatabaseOutage, rate-limited, not as one stack trace per request.
            SuppressDiagnosticsCallback = context => DatabaseOutage.Caused(context.Exception),
            ExceptionHandler = async context =>
        {
            // An unexpected failure answers an OperationOutcome without details: exception messages can carry data.
            var failure = context.Features.Get<IExceptionHandlerFeature>()?.Error;
            if (DatabaseOutage.Caused(failure))
            {
                context.RequestServices.GetRequiredService<DatabaseOutage>().Refused();
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                context.Response.Headers.RetryAfter = DatabaseOutage.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                if (IsBrowserPage(context.Request))
                {
                    context.Response.ContentType = "text/html; charset=utf-8";
                    await context.Response.WriteAsync(OutagePage);
                    return;
                }

                await FhirResult.Problem(503, OperationOutcome.IssueType.Transient, "The database cannot be reached; the request was not completed. Try again shortly.")
                    .ExecuteAsync(context);
                return;
            }

            var status = failure is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError;
            var message = status == 500 ? "An internal error occurred; the request was not completed." : "The request could not be read.";
            await FhirResult.Problem(status, status == 500 ? OperationOutcome.IssueType.Exception : OperationOutcome.IssueType.Invalid, message)
                .ExecuteAsync(context);
        },
        });
        app.MapGet("/", () => Results.Redirect("/worklist")).ExcludeFromDescription();
        // The icon browsers ask every page for: served here (no external host), the same at both addresses.
        app.MapGet("/favicon.svg", () => Results.Text(Favicon, "image/svg+xml")).ExcludeFromDescription();
        app.MapGet("/favicon.ico", () => Results.Text(Favicon, "image/svg+xml")).ExcludeFromDescription();
        app.MapHealth();
        app.UseCors();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseDashboardLanguage("/jobs");
        var anonymousRead = app.Configuration.GetValue<bool>(FhirEndpoints.AnonymousReadSetting);
        if (anonymousRead)
        {
            app.Logger.LogWarning(
                "FHIR reading is open to anyone who can reach this server ({Setting}=true): patient data without sign-in. For demonstrations only.",
                FhirEndpoints.AnonymousReadSetting);
        }

        app.MapFhir(anonymousRead);
        app.MapCdsHooks();
        app.MapScoring();
        app.MapMonitoring();
        app.MapWorklistApi();
        app.MapRazorPages();
        app.MapOpenApi("/openapi/{documentName}.json").RequireAuthorization(AdminAuthentication.CarePolicy);
        // Everything from this server: a hospital network blocks the internet, and the page must not call vendor services
        // (hosted fonts, the AI agent, MCP, the hosted API client, the "Share / Generate SDK / Deploy" toolbar).
        app.MapScalarApiReference("/api/reference", reference => reference
                .WithTitle(ApiDocument.Title)
                .WithOpenApiRoutePattern("/openapi/{documentName}.json")
                .DisableDefaultFonts()
                .DisableAgent()
                .DisableMcp()
                .HideClientButton()
                .HideDeveloperTools())
            .RequireAuthorization(AdminAuthentication.CarePolicy);
        // The jobs dashboard: administrators only (no local-requests exception).
        app.MapHangfireDashboardWithAuthorizationPolicy(AdminAuthentication.Policy, "/jobs", new DashboardOptions { Authorization = [], DashboardTitle = "ClinicalCds jobs" });
        return app;
    }

    /// <summary>A browser asking for a page (not the API, FHIR, CDS Hooks or a download): it gets HTML, not JSON.</summary>
    private static bool IsBrowserPage(HttpRequest request) =>
        request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase)
        && !new[] { "/api", "/fhir", "/cds-services", "/admin/scoring", "/health" }.Any(p => request.Path.StartsWithSegments(p));

    private const string OutagePage = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>ClinicalCds is briefly unavailable</title></head>
        <body style="font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto">
        <h1>ClinicalCds is briefly unavailable</h1>
        <p>Its database cannot be reached just now. Nothing you did caused this, and nothing was changed.</p>
        <p>Reload the page in a few seconds. If this lasts, tell the team that runs ClinicalCds.</p>
        </body></html>
        """;
}
