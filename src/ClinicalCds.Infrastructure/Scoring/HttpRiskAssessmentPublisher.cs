using System.Net.Http.Headers;
using System.Text;
using ClinicalCds.Application.Abstractions;
using Microsoft.Extensions.Logging;

namespace ClinicalCds.Infrastructure.Scoring;

/// <summary>POSTs transaction Bundles of RiskAssessments to the external FHIR server; reports failures by status or error type.</summary>
public sealed class HttpRiskAssessmentPublisher(IHttpClientFactory clients, ILogger<HttpRiskAssessmentPublisher> logger) : IRiskAssessmentPublisher
{
    public const string ClientName = "risk-assessment-publisher";

    public async Task<string?> PublishAsync(Uri endpoint, string? token, string bundleJson, CancellationToken cancellationToken)
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
                return null;
            }

            logger.LogWarning("The external FHIR server answered {Status} to a RiskAssessment delivery", (int)response.StatusCode);
            return $"HTTP {(int)response.StatusCode}";
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            logger.LogWarning("A RiskAssessment delivery failed: {Error}", e.GetType().Name);
            return e is TaskCanceledException ? "timeout" : $"{e.GetType().Name}";
        }
    }
}
