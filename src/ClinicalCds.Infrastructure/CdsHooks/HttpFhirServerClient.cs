using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using ClinicalCds.Application.Abstractions;
using ClinicalCds.Application.CdsHooks;
using ClinicalCds.Application.CdsHooks.EvaluateHook;
using ClinicalCds.Fhir;
using ClinicalCds.Fhir.Mapping;

namespace ClinicalCds.Infrastructure.CdsHooks;

/// <summary>
/// Reads a CDS Client's fhirServer: one GET per query plus its searchset's next pages, each within the configured
/// timeout and all of them within the fetch budget, with the client's bearer token. Searches ask for large pages
/// (<c>_count</c>) unless the query names its own. The token is only ever sent to the fhirServer's own origin, so a next
/// link pointing elsewhere is refused rather than followed. Failures are reasons, never exceptions or tokens in logs.
/// </summary>
public sealed class HttpFhirServerClient(IHttpClientFactory clients, CdsHooksOptions options) : IFhirServerClient
{
    /// <summary>The HTTP client for fhirServers the configuration does not list: public addresses only (<see cref="PublicNetwork"/>).</summary>
    public const string ClientName = "fhir-server";

    /// <summary>The HTTP client for listed fhirServers, which may be at private addresses; its own connection pool.</summary>
    public const string ListedClientName = "fhir-server-listed";

    public async IAsyncEnumerable<FhirFetch> FetchPagesAsync(
        Uri fhirServer, bool listed, string? accessToken, string relativeQuery, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var http = clients.CreateClient(listed ? ListedClientName : ClientName);
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(TimeSpan.FromSeconds(options.FetchBudgetSeconds));
        var first = new Uri(fhirServer.ToString().TrimEnd('/') + "/" + PrefetchResolver.WithPageSize(relativeQuery.TrimStart('/'), options.PageSize));
        Task<(FhirFetch Fetch, Uri? Next)>? pending = PageAsync(http, first, fhirServer, accessToken, 0, budget, cancellationToken);
        try
        {
            int? total = null;
            var matches = 0;
            for (var page = 1; pending is not null; page++)
            {
                var (fetch, next) = await pending;
                // The last page of a search: a total above all the matches its pages held means some were left out.
                total ??= fetch.Total;
                matches += fetch.Resources.Count;
                if (fetch.Succeeded && next is null && total > matches)
                {
                    fetch = new FhirFetch([], $"the fhirServer's searchset states {total} matches but its pages hold {matches}");
                }

                // The next page is requested before this one is handed over: the caller reads it while the server prepares the next.
                pending = fetch.Succeeded && next is not null ? PageAsync(http, next, fhirServer, accessToken, page, budget, cancellationToken) : null;
                yield return fetch;
                if (!fetch.Succeeded)
                {
                    yield break;
                }
            }
        }
        finally
        {
            // A caller that stops early leaves no request running on a disposed budget.
            if (pending is not null)
            {
                await budget.CancelAsync();
                await pending.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }
    }

    /// <summary>One page: its resources and the next page's address, or a failure.</summary>
    private async Task<(FhirFetch Fetch, Uri? Next)> PageAsync(
        HttpClient http, Uri url, Uri fhirServer, string? accessToken, int page, CancellationTokenSource budget, CancellationToken cancellationToken)
    {
        if (budget.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return (Failed($"its {page} pages took longer than the {options.FetchBudgetSeconds} s fetch budget"), null);
        }

        if (!SameOrigin(url, fhirServer))
        {
            return (Failed("a next link points outside the fhirServer"), null);
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/fhir+json"));
        if (accessToken is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        }

        byte[] body;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(budget.Token);
        timeout.CancelAfter(TimeSpan.FromSeconds(options.FetchTimeoutSeconds));
        try
        {
            using var response = await http.SendAsync(request, timeout.Token);
            if ((int)response.StatusCode is >= 300 and < 400)
            {
                return (Failed($"the fhirServer answered {(int)response.StatusCode}, a redirect, which is not followed"), null);
            }

            if (!response.IsSuccessStatusCode)
            {
                return (Failed($"the fhirServer answered {(int)response.StatusCode}"), null);
            }

            body = await response.Content.ReadAsByteArrayAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (Failed(budget.IsCancellationRequested
                ? $"its {page + 1} pages took longer than the {options.FetchBudgetSeconds} s fetch budget"
                : $"the fhirServer did not answer within {options.FetchTimeoutSeconds} s"), null);
        }
        catch (HttpRequestException e) when (e.InnerException is PublicNetwork.AddressRefusedException refused)
        {
            return (Failed(refused.Message), null);
        }
        catch (HttpRequestException e)
        {
            return (Failed($"the fhirServer could not be reached ({e.HttpRequestError})"), null);
        }

        if (JsonText.HasUnpairedSurrogate(body))
        {
            return (Failed("the fhirServer's answer holds a string that is not text"), null);
        }

        JsonElement answer;
        try
        {
            // Not pooled: the resources are read after this page's buffer is gone.
            answer = JsonElement.Parse(body);
        }
        catch (JsonException)
        {
            return (Failed("the fhirServer's answer is not JSON"), null);
        }

        var payload = FhirPayload.Read(answer);
        return payload.Kind switch
        {
            FhirPayloadKind.Bundle when payload.Incomplete is { } incomplete => (Failed(incomplete), null),
            FhirPayloadKind.Bundle => (new FhirFetch(payload.Resources, null) { Total = payload.Total },
                payload.NextLink is { } link && Uri.TryCreate(link, UriKind.Absolute, out var next) ? next : null),
            FhirPayloadKind.Resource => (new FhirFetch(payload.Resources, null), null),
            FhirPayloadKind.OperationOutcome => (Failed("the fhirServer answered an OperationOutcome"), null),
            _ => (Failed("the fhirServer's answer is not valid FHIR R4"), null),
        };
    }

    private static FhirFetch Failed(string reason) => new([], reason);

    private static bool SameOrigin(Uri a, Uri b) =>
        a.Scheme == b.Scheme && string.Equals(a.Host, b.Host, StringComparison.OrdinalIgnoreCase) && a.Port == b.Port;
}
