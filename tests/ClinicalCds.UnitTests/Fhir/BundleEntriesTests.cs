using System.Text;
using System.Text.Json;
using ClinicalCds.Fhir.Ingest;

namespace ClinicalCds.UnitTests.Fhir;

public sealed class BundleEntriesTests
{
    private static BundleInput Read(string json) => BundleEntries.Read(Encoding.UTF8.GetBytes(json));

    [Fact]
    public void Urn_uuid_references_become_logical_references_and_ids_come_from_the_full_url()
    {
        var input = Read("""
            {"resourceType":"Bundle","type":"transaction","entry":[
              {"fullUrl":"urn:uuid:11111111-1111-4111-8111-111111111111","resource":{"resourceType":"Patient"},"request":{"method":"POST","url":"Patient"}},
              {"fullUrl":"urn:uuid:22222222-2222-4222-8222-222222222222","resource":{"resourceType":"Encounter","id":"enc-1","status":"finished",
                "class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"IMP"},
                "subject":{"reference":"urn:uuid:11111111-1111-4111-8111-111111111111"}},"request":{"method":"POST","url":"Encounter"}},
              {"resource":{"resourceType":"Patient","gender":"male"},"request":{"method":"PUT","url":"Patient/put-id"}}
            ]}
            """);
        Assert.Null(input.Error);
        Assert.Equal(BundleKind.Transaction, input.Kind);
        Assert.All(input.Entries, e => Assert.Empty(e.Preparation.Errors));
        var resources = input.Entries.Select(e => e.Preparation.Resource!).ToList();
        Assert.Equal("11111111-1111-4111-8111-111111111111", resources[0].Id);
        Assert.Equal("enc-1", resources[1].Id);
        Assert.Equal("11111111-1111-4111-8111-111111111111", resources[1].PatientId);
        using var encounter = JsonDocument.Parse(resources[1].Json);
        Assert.Equal("Patient/11111111-1111-4111-8111-111111111111", encounter.RootElement.GetProperty("subject").GetProperty("reference").GetString());
        Assert.Equal("put-id", resources[2].Id);
        Assert.Equal("IMP", resources[1].Facts.Encounter!.ClassCode);
    }

    [Theory]
    [InlineData("""{"resourceType":"Patient"}""", "must be a Bundle")]
    [InlineData("""{"resourceType":"Bundle","type":"collection"}""", "transaction' or 'batch'")]
    [InlineData("""[1,2]""", "not a JSON object")]
    public void A_body_that_is_not_a_transaction_or_batch_is_rejected(string json, string message)
    {
        var input = Read(json);
        Assert.Contains(message, input.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Unsupported_methods_and_mismatched_put_ids_are_entry_errors()
    {
        var input = Read("""
            {"resourceType":"Bundle","type":"batch","entry":[
              {"resource":{"resourceType":"Patient","id":"a"},"request":{"method":"DELETE","url":"Patient/a"}},
              {"resource":{"resourceType":"Patient","id":"a"},"request":{"method":"PUT","url":"Patient/b"}}
            ]}
            """);
        Assert.Contains("DELETE is not supported", input.Entries[0].Preparation.Errors.Single(), StringComparison.Ordinal);
        Assert.Contains("differs from the id in request.url", input.Entries[1].Preparation.Errors.Single(), StringComparison.Ordinal);
    }
}
