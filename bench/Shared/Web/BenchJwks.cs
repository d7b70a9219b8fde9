using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;

namespace ClinicalCds.Bench;

/// <summary>A CDS client's JWKS document on a loopback port, for benchmarks that call hooks with client authentication on.</summary>
internal static class BenchJwks
{
    public static async Task<WebApplication> StartHostAsync(ECDsaSecurityKey key)
    {
        var jwk = JsonWebKeyConverter.ConvertFromECDsaSecurityKey(key);
        var jwks = JsonSerializer.Serialize(new { keys = new[] { new { kty = jwk.Kty, kid = jwk.Kid, crv = jwk.Crv, x = jwk.X, y = jwk.Y, use = "sig" } } });
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var host = builder.Build();
        host.MapGet("/jwks.json", () => Results.Text(jwks, "application/json"));
        await host.StartAsync();
        return host;
    }
}
