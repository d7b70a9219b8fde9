using System.Net.Http.Headers;
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
    public const string ClientName = "fhir-server";

    public async Task<FhirFetch> FetchAsync(Uri fhirServer, string? accessToken, string relativeQuery, CancellationToken cancellationToken)
    {
        var http = clients.CreateClient(ClientName);
        var resources = new List<JsonElement>();
        Uri? next = new(fhirServer.ToString().TrimEnd('/') + "/" + PrefetchResolver.WithPageSize(relativeQuery.TrimStart('/'), options.PageSize));
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(TimeSpan.FromSeconds(options.FetchBudgetSeconds));
        for (var page = 0; next is not null; page++)
        {
            if (budget.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                return new FhirFetch([], $"its {page} pages took longer than the {options.FetchBudgetSeconds} s fetch budget");
            }

            if (!SameOrigin(next, fhirServer))
            {
                return new FhirFetch([], "a next link points outside the fhirServer");
            }

            using var request = new HttpRequestMessage(HttpMethod.Get, next);
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
                if (!response.IsSuccessStatusCode)
                {
                    return new FhirFetch([], $"the fhirServer answered {(int)response.StatusCode}");
                }

                body = await response.Content.ReadAsByteArrayAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return new FhirFetch([], budget.IsCancellationRequested
                    ? $"its {page + 1} pages took longer than the {options.FetchBudgetSeconds} s fetch budget"
                    : $"the fhirServer did not answer within {options.FetchTimeoutSeconds} s");
            }
            catch (HttpRequestException e)
            {
                return new FhirFetch([], $"the fhirServer could not be reached ({e.HttpRequestError})");
            }

            if (JsonText.HasUnpairedSurrogate(body))
            {
                return new FhirFetch([], "the fhirServer's answer holds a string that is not text");
            }

            JsonElement answer;
            try
            {
                // Not pooled: the resources are read after this page's buffer is gone.
                answer = JsonElement.Parse(body);
            }
            catch (JsonException)
            {
                return new FhirFetch([], "the fhirServer's answer is not JSON");
            }

            var payload = FhirPayload.Read(answer);
            switch (payload.Kind)
            {
                case FhirPayloadKind.Bundle:
                    resources.AddRange(payload.Resources);
                    next = payload.NextLink is { } url && Uri.TryCreate(url, UriKind.Absolute, out var n) ? n : null;
                    break;
                case FhirPayloadKind.Resource:
                    resources.AddRange(payload.Resources);
                    next = null;
                    break;
                case FhirPayloadKind.OperationOutcome:
                    return new FhirFetch([], "the fhirServer answered an OperationOutcome");
                default:
                    return new FhirFetch([], "the fhirServer's answer is not valid FHIR R4");
            }
        }

        return new FhirFetch(resources, null);
    }

    private static bool SameOrigin(Uri a, Uri b) =>
        a.Scheme == b.Scheme && string.Equals(a.Host, b.Host, StringComparison.OrdinalIgnoreCase) && a.Port == b.Port;
}
