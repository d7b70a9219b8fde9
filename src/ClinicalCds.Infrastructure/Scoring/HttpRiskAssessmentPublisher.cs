using System.Net.Http.Headers;
using System.Text;
using ClinicalCds.Application.Abstractions;
using Microsoft.Extensions.Logging;

namespace ClinicalCds.Infrastructure.Scoring;

/// <summary>
/// POSTs transaction Bundles of RiskAssessments to the external FHIR server. A failed attempt (5xx, 408, 429, network,
/// timeout) is tried again after 1 s and 3 s; what still fails is reported by status or error type (the job is then
/// retried later by Hangfire). The Bundle PUTs by id, so a repeated delivery adds nothing at the receiver.
/// </summary>
public sealed class HttpRiskAssessmentPublisher(IHttpClientFactory clients, ILogger<HttpRiskAssessmentPublisher> logger) : IRiskAssessmentPublisher
{
    public const string ClientName = "risk-assessment-publisher";

    private static readonly TimeSpan[] Backoff = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3)];

    public async Task<string?> PublishAsync(Uri endpoint, string? token, string bundleJson, CancellationToken cancellationToken)
    {
        string? error = null;
        for (var attempt = 0; attempt <= Backoff.Length; attempt++)
        {
            if (attempt > 0)
            {
                await Task.Delay(Backoff[attempt - 1], cancellationToken);
            }

            (error, var retryable) = await AttemptAsync(endpoint, token, bundleJson, cancellationToken);
            if (error is null || !retryable)
            {
                return error;
            }
        }

        return error;
    }

    private async Task<(string? Error, bool Retryable)> AttemptAsync(Uri endpoint, string? token, string bundleJson, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint)
        {
            Content = new StringContent(bundleJson, Encoding.UTF8, "application/fhir+json"),
        };
        request.Headers.Accept.ParseAdd("application/fhir+json");
        if (!string.IsNullOrEmpty(token))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        try
        {
            using var response = await clients.CreateClient(ClientName).SendAsync(request, cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                return (null, false);
            }

            var status = (int)response.StatusCode;
            logger.LogWarning("The external FHIR server answered {Status} to a RiskAssessment delivery", status);
            return ($"HTTP {status}", status is >= 500 or 408 or 429);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("A RiskAssessment delivery failed: {Error}", e.GetType().Name);
            return (e is TaskCanceledException ? "timeout" : e.GetType().Name, true);
        }
    }
}
