using ClinicalCds.Application;
using ClinicalCds.Api.Fhir;
using ClinicalCds.Api.Hosting;
using System.Text.Json;
using ClinicalCds.Application.Abstractions;
using ClinicalCds.Application.CdsHooks;
using ClinicalCds.Application.CdsHooks.EvaluateHook;
using ClinicalCds.Application.CdsHooks.RecordFeedback;
using ClinicalCds.Fhir;
using ClinicalCds.Infrastructure.CdsHooks;
using OperationOutcome = Hl7.Fhir.Model.OperationOutcome;
using Mediator;

namespace ClinicalCds.Api.CdsHooks;

/// <summary>CDS Hooks 2.0: discovery, service calls and feedback. Thin: HTTP ⇄ use-case messages.</summary>
public static class CdsHooksEndpoints
{
    public const string CorsPolicy = "cds-clients";

    /// <summary>Hook requests carry prefetch; a few MB is plenty for a patient's record and bounds abuse.</summary>
    public const long MaxRequestBytes = 16L * 1024 * 1024;

    public static IEndpointRouteBuilder MapCdsHooks(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/cds-services").WithTags("CDS Hooks").RequireCors(CorsPolicy);

        // Discovery carries no patient data; clients read it before they are configured, so it needs no token.
        group.MapGet("/", (Domain.Clinical.Terminology terminology) => Results.Json(CdsServices.Localized(terminology), CdsJson.Options))
            .WithSummary("CDS Hooks discovery: the services, their hooks and the prefetch templates they ask for.")
            .Produces<DiscoveryResponse>();

        // What clinicians did with the cards (admins): the same numbers as the /admin/feedback page.
        app.MapGet("/admin/cds/feedback", async (IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new Application.CdsHooks.GetFeedbackAnalytics.GetFeedbackAnalyticsQuery(), ct)))
            .WithSummary("What clinicians did with the cards: shown, accepted, overridden (with the reasons given) and suggestion uptake, per service and card kind, in total and per month.")
            .WithTags("Admin").RequireAuthorization(Admin.AdminAuthentication.Policy);

        // Measured first, so that refused calls (401, 429) count too.
        var calls = group.MapGroup("/").AddEndpointFilter(MeasureAsync).AddEndpointFilter<CdsClientAuthenticationFilter>();
        calls.MapPost("/{id}", async (string id, HttpContext http, IMediator mediator, CancellationToken ct) =>
            await Answer(http, body => mediator.Send(new EvaluateHookCommand(id, body, ClientOf(http)), ct)))
            .WithSummary("Calls a CDS service: the cards for this patient (CDS Hooks 2.0 \"Calling a CDS Service\").")
            .WithDescription("Body: the specification's hook request (hook, hookInstance, context, prefetch; fhirServer and fhirAuthorization to fetch what prefetch lacks). "
                + "200 with cards; 400 a malformed request; 401 (bare) without a valid client JWT; 404 an unknown service; 412 when neither prefetch nor the fhirServer gives the data; 413 a body over 16 MB; 429 beyond the rate, with Retry-After.")
            .Accepts<System.Text.Json.JsonElement>("application/json")
            .Produces<CdsResponse>()
            .Produces(StatusCodes.Status401Unauthorized)
            .Produces(StatusCodes.Status429TooManyRequests)
            .FailsWithOperationOutcome(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound, StatusCodes.Status412PreconditionFailed, StatusCodes.Status413PayloadTooLarge);
        calls.MapPost("/{id}/feedback", async (string id, HttpContext http, IMediator mediator, CancellationToken ct) =>
            await Answer(http, body => mediator.Send(new RecordFeedbackCommand(id, body, ClientOf(http)), ct)))
            .WithSummary("Feedback on cards: accepted or overridden, with the suggestions taken or the override reason (CDS Hooks 2.0 \"Feedback\").")
            .WithDescription("Body: {\"feedback\": [...]}, each naming a card of this service's answer. 200 when recorded; 400 naming each invalid item; 409 a second, different outcome for a card.")
            .Accepts<System.Text.Json.JsonElement>("application/json")
            .Produces(StatusCodes.Status200OK)
            .Produces(StatusCodes.Status401Unauthorized)
            .FailsWithOperationOutcome(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict);
        return app;
    }

    /// <summary>
    /// <see cref="Telemetry.HookDuration"/> of every call, from arrival until the answer is sent, by service and status.
    /// Known service ids only as tag values: an unknown id is any text a caller sent.
    /// </summary>
    private static ValueTask<object?> MeasureAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var service = CdsClientAuthenticationFilter.ServiceOf(http);
        var operation = http.Request.Path.Value?.EndsWith("/feedback", StringComparison.Ordinal) == true ? "feedback" : "call";
        http.Response.OnCompleted(() =>
        {
            Telemetry.HookDuration.Record(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds,
                new("service", service), new("operation", operation), new("status", http.Response.StatusCode));
            return Task.CompletedTask;
        });
        return next(context);
    }

    private static string? ClientOf(HttpContext http) => (http.Items[typeof(CdsCaller)] as CdsCaller)?.ClientId;

    private static async Task<IResult> Answer(HttpContext http, Func<JsonElement, ValueTask<CdsAnswer>> send)
    {
        if (http.Request.ContentLength > MaxRequestBytes)
        {
            return TooLarge();
        }

        // A chunked body has no Content-Length: the server itself stops reading it past the cap (issue 33 item 7).
        if (http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxRequestBytes;
        }

        // The document lives until the answer is made (the use cases keep no element beyond the call), so the
        // body is never copied: its buffers are pooled, not new large objects per call.
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted);
        }
        catch (JsonException e)
        {
            return new FhirResult(Outcomes.BadRequest($"The body is not valid JSON: {e.Message}"));
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return TooLarge();
        }

        using (document)
        {
            return JsonText.HasUnpairedSurrogate(document.RootElement)
                ? new FhirResult(Outcomes.BadRequest(JsonText.Problem))
                : Send(await send(document.RootElement));
        }
    }

    private static FhirResult TooLarge() => FhirResult.Problem(413, OperationOutcome.IssueType.TooCostly, $"The request is larger than {MaxRequestBytes / (1024 * 1024)} MB.");

    /// <summary>The use case's answer in HTTP: its body as JSON, or its failure as a FHIR OperationOutcome with the status CDS Hooks gives it.</summary>
    private static IResult Send(CdsAnswer answer) => answer.Failure switch
    {
        null => TypedResults.Json(answer.Body, CdsJson.Options),
        { } failure => FhirResult.Problem(CdsCallStatus.Of(failure), failure switch
        {
            CdsFailure.UnknownService => OperationOutcome.IssueType.NotFound,
            CdsFailure.DataUnavailable => OperationOutcome.IssueType.Processing,
            CdsFailure.Conflict => OperationOutcome.IssueType.Conflict,
            _ => OperationOutcome.IssueType.Invalid,
        }, [.. answer.Problems]),
    };
}

/// <summary>Every call needs a valid client JWT (unless authentication is switched off for development): else a bare 401.</summary>
/// <remarks>
/// Calls beyond the address's or the client's rate are answered 429 with Retry-After (see <see cref="CdsRateLimits"/>).
/// Every refusal counts in <see cref="Telemetry.HookRefusals"/> and leaves a cds_audit row (time, service, client when
/// known, <c>refused:REASON</c>; never the token) — a 429 at most once a second per client or address.
/// </remarks>
public sealed class CdsClientAuthenticationFilter(
    CdsClientAuthenticator authenticator, CdsHooksOptions options, CdsRateLimits limits, ICdsStore store, TimeProvider clock) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var address = http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        using var addressLease = limits.ForAddress(address);
        if (!addressLease.IsAcquired)
        {
            return await Throttled(http, $"address {address}", null, started);
        }

        if (!options.RequireAuthentication)
        {
            return await next(context);
        }

        // The audience is the exact URL the client called, as this server is publicly known.
        var called = options.PublicBaseUrl.TrimEnd('/') + http.Request.PathBase + http.Request.Path;
        var authentication = await authenticator.AuthenticateAsync(
            http.Request.Headers.Authorization.ToString() is { Length: > 0 } h ? h : null, called, http.RequestAborted);
        if (authentication.Caller is not { } caller)
        {
            return await Unauthorized(http, authentication.Refusal!, authentication.ClaimedClient, started);
        }

        using var clientLease = limits.ForClient(caller.ClientId);
        if (!clientLease.IsAcquired)
        {
            return await Throttled(http, $"client {caller.ClientId}", caller.ClientId, started);
        }

        http.Items[typeof(CdsCaller)] = caller;
        return await next(context);
    }

    private async Task<IResult> Unauthorized(HttpContext http, string reason, string? client, long started)
    {
        await RefusedAsync(http, reason, client, StatusCodes.Status401Unauthorized, started);
        return Results.StatusCode(StatusCodes.Status401Unauthorized);
    }

    /// <summary>Counted every time; audited at most once a second per caller, so that a flood does not become a flood of writes.</summary>
    private async Task<IResult> Throttled(HttpContext http, string caller, string? client, long started)
    {
        if (limits.FirstThrottleThisSecond(caller, clock.GetUtcNow()))
        {
            await RefusedAsync(http, RefusalReasons.Throttled, client, StatusCodes.Status429TooManyRequests, started);
        }
        else
        {
            Telemetry.HookRefusals.Add(1, new("reason", RefusalReasons.Throttled), new("service", ServiceOf(http)));
        }

        return TooMany();
    }

    private async Task RefusedAsync(HttpContext http, string reason, string? client, int status, long started)
    {
        var service = ServiceOf(http);
        Telemetry.HookRefusals.Add(1, new("reason", reason), new("service", service));
        var feedback = http.Request.Path.Value?.EndsWith("/feedback", StringComparison.Ordinal) == true ? "feedback " : string.Empty;
        await store.RecordCallAsync(new HookAudit(clock.GetUtcNow(), service, null, client, null, null, status,
            $"{feedback}refused:{reason}", System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds), null, [], CancellationToken.None);
    }

    /// <summary>Known service ids only: an unknown id is any text a caller sent.</summary>
    internal static string ServiceOf(HttpContext http) =>
        http.GetRouteValue("id") is string id && CdsServices.Find(id) is not null ? id : "unknown";

    private static IResult TooMany() => new TooManyRequests();

    private sealed class TooManyRequests : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            // The buckets refill once a second.
            httpContext.Response.Headers.RetryAfter = "1";
            return FhirResult.Problem(429, Hl7.Fhir.Model.OperationOutcome.IssueType.Throttled,
                "Too many requests from this client; retry after a second.").ExecuteAsync(httpContext);
        }
    }
}
