using System.Net;
using ClinicalCds.Application.CdsHooks;
using ClinicalCds.Application.CdsHooks.EvaluateHook;
using ClinicalCds.Infrastructure.CdsHooks;

namespace ClinicalCds.UnitTests.CdsHooks;

/// <summary>Which fhirServers a hook call may make this server connect to (issue 33 item 9).</summary>
public sealed class FhirServerAccessTests
{
    private static CdsHooksOptions Options(string[] global, string[] ehr) => new()
    {
        FhirServers = [.. global],
        Clients = [new TrustedCdsClient { Issuer = "https://ehr.example", JwksFile = "x", FhirServers = [.. ehr] }, new TrustedCdsClient { Issuer = "https://other.example", JwksFile = "y" }],
    };

    [Fact]
    public void With_nothing_configured_any_fhirServer_is_followed_but_none_is_listed()
    {
        var access = FhirServerAccess.Of(new Uri("https://fhir.vendor.example/r4"), Options([], []), "https://ehr.example");
        Assert.Equal(new FhirServerAccess(false, null), access);
    }

    [Fact]
    public void A_clients_list_admits_only_what_it_covers_and_only_for_that_client()
    {
        var options = Options([], ["https://ehr.example:8443/fhir/r4", "http://10.1.2.3"]);

        Assert.True(FhirServerAccess.Of(new Uri("https://ehr.example:8443/fhir/r4"), options, "https://ehr.example").Listed);
        Assert.True(FhirServerAccess.Of(new Uri("https://EHR.example:8443/fhir/r4/"), options, "https://ehr.example").Listed);
        Assert.True(FhirServerAccess.Of(new Uri("https://ehr.example:8443/fhir/r4/tenant-1"), options, "https://ehr.example").Listed);
        // An entry without a port covers every port of its host.
        Assert.True(FhirServerAccess.Of(new Uri("http://10.1.2.3:8080/fhir"), options, "https://ehr.example").Listed);

        foreach (var refused in new[] { "https://ehr.example/fhir/r4", "https://ehr.example:8443/fhir/r4x", "https://ehr.example:8443/admin", "http://ehr.example:8443/fhir/r4", "https://10.1.2.3/fhir", "http://169.254.169.254/latest" })
        {
            var access = FhirServerAccess.Of(new Uri(refused), options, "https://ehr.example");
            Assert.False(access.Listed, refused);
            Assert.Equal("the fhirServer is not among the FHIR servers configured for this client (CdsHooks:FhirServers and the client's FhirServers)", access.Refusal);
        }

        // Another client's list is not this client's: with none of its own, it may follow public servers only.
        Assert.Equal(new FhirServerAccess(false, null), FhirServerAccess.Of(new Uri("http://10.1.2.3/fhir"), options, "https://other.example"));
    }

    [Fact]
    public void The_services_list_applies_to_every_client_and_to_calls_without_authentication()
    {
        var options = Options(["https://fhir.hospital.example/"], ["https://ehr.example/fhir"]);

        Assert.True(FhirServerAccess.Of(new Uri("https://fhir.hospital.example/r4"), options, "https://other.example").Listed);
        Assert.True(FhirServerAccess.Of(new Uri("https://ehr.example/fhir"), options, "https://ehr.example").Listed);
        Assert.NotNull(FhirServerAccess.Of(new Uri("https://ehr.example/fhir"), options, "https://other.example").Refusal);
        Assert.Equal("the fhirServer is not among the FHIR servers this service follows (CdsHooks:FhirServers)", FhirServerAccess.Of(new Uri("https://elsewhere.example"), options, null).Refusal);
    }

    [Theory]
    [InlineData("8.8.8.8", true)]
    [InlineData("151.101.1.69", true)]
    [InlineData("2606:4700:4700::1111", true)]
    [InlineData("127.0.0.1", false)]
    [InlineData("127.255.0.9", false)]
    [InlineData("0.0.0.0", false)]
    [InlineData("10.20.30.40", false)]
    [InlineData("172.16.0.1", false)]
    [InlineData("172.31.255.255", false)]
    [InlineData("172.32.0.1", true)]
    [InlineData("192.168.1.1", false)]
    [InlineData("169.254.169.254", false)]
    [InlineData("100.64.0.1", false)]
    [InlineData("100.128.0.1", true)]
    [InlineData("192.0.2.1", false)]
    [InlineData("198.18.0.1", false)]
    [InlineData("224.0.0.1", false)]
    [InlineData("255.255.255.255", false)]
    [InlineData("::1", false)]
    [InlineData("::", false)]
    [InlineData("fe80::1", false)]
    [InlineData("fd00::1", false)]
    [InlineData("ff02::1", false)]
    [InlineData("2001:db8::1", false)]
    [InlineData("::ffff:10.0.0.1", false)]
    [InlineData("::ffff:8.8.8.8", true)]
    [InlineData("64:ff9b::a00:1", false)]
    [InlineData("2002:c0a8:0101::1", false)]
    public void Only_public_unicast_addresses_are_public(string address, bool isPublic) =>
        Assert.Equal(isPublic, PublicNetwork.IsPublic(IPAddress.Parse(address)));
}
