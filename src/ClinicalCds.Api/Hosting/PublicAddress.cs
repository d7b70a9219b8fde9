using ClinicalCds.Application.CdsHooks;
using Microsoft.AspNetCore.HostFiltering;

namespace ClinicalCds.Api.Hosting;

/// <summary>
/// The one address this server names itself by (issue 33 item 6): card links, FHIR <c>fullUrl</c> and paging links,
/// <c>/fhir/metadata</c> and the audience client JWTs must carry all come from <c>CdsHooks:PublicBaseUrl</c>, never from
/// the Host header a caller sent. Outside Development it is required — a server that guesses its own address would put
/// a caller's choice of host into links clinicians follow — and the Host header itself is filtered: requests for any
/// host but the public one (or those <c>AllowedHosts</c> lists) answer 400.
/// </summary>
public static class PublicAddress
{
    public const string Setting = $"{CdsHooksOptions.Section}:PublicBaseUrl";

    /// <summary>Where a development server says it is when nothing is set (the demo's and the README's address).</summary>
    public const string DevelopmentDefault = "http://localhost:5080";

    /// <summary>
    /// Checks the public address and the allowed hosts, writes the resolved address back to the configuration (so every
    /// reader of <see cref="CdsHooksOptions"/> sees it) and filters Host headers; throws with the fix when they are unsafe.
    /// </summary>
    public static void Configure(WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var development = builder.Environment.IsDevelopment();
        var configured = configuration[Setting];
        if (string.IsNullOrWhiteSpace(configured))
        {
            if (!development)
            {
                throw new InvalidOperationException(
                    $"{Setting} is required (environment {builder.Environment.EnvironmentName}): the absolute URL EHRs and browsers reach this server by, e.g. https://cds.hospital.org. "
                    + "Card links, FHIR links and the audience of client tokens are built from it, never from the Host header a caller sends.");
            }

            configured = DevelopmentDefault;
        }

        if (!Uri.TryCreate(configured, UriKind.Absolute, out var address) || address.Scheme is not ("http" or "https")
            || !string.IsNullOrEmpty(address.Query) || !string.IsNullOrEmpty(address.Fragment) || !string.IsNullOrEmpty(address.UserInfo))
        {
            throw new InvalidOperationException($"{Setting} '{configured}' is not an absolute http(s) URL without query, fragment or credentials (e.g. https://cds.hospital.org).");
        }

        configuration[Setting] = configured.TrimEnd('/');

        var hosts = (configuration["AllowedHosts"] ?? string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (development)
        {
            return;
        }

        if (hosts.Contains("*"))
        {
            throw new InvalidOperationException(
                "AllowedHosts '*' accepts any Host header outside Development: list this server's host names (e.g. \"cds.hospital.org;cds.internal\"), or leave it unset to accept only the host of "
                + $"{Setting} ({address.Host}).");
        }

        string[] allowed = hosts.Length > 0 ? hosts : [address.IdnHost];
        builder.Services.Configure<HostFilteringOptions>(filtering =>
        {
            filtering.AllowedHosts = allowed;
            filtering.AllowEmptyHosts = false;
        });
    }
}
