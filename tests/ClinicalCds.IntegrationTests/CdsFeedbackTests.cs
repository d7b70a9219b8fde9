using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using ClinicalCds.IntegrationTests.Infrastructure;

namespace ClinicalCds.IntegrationTests;

/// <summary>CDS Hooks 2.0 "Feedback": the specification's three examples, validation, and idempotent storage.</summary>
[Collection(CdsServer.Name)]
public sealed class CdsFeedbackTests(CdsServerFixture server)
{
    private const string Service = "readmission-risk";
    private const string FeedbackPath = $"/cds-services/{Service}/feedback";

    private async Task<(HttpStatusCode Status, string Body)> PostFeedback(string body, string path = FeedbackPath)
    {
        using var client = new HttpClient { BaseAddress = server.BaseUrl };
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + server.Ehr.Token(server.Audience(path)));
        using var response = await client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Records a card as issued by <paramref name="service"/>, as a hook call would have.</summary>
    private Task Issued(Guid uuid, string service = Service) => server.Database.ScalarAsync(
        """
        INSERT INTO cds_cards (uuid, service_id, hook_instance, patient_id, indicator, summary, issued_at)
        VALUES (@uuid, @service, 'spec-example', 'p', 'info', 'Example Card', now()) ON CONFLICT DO NOTHING RETURNING 1
        """, ("uuid", uuid), ("service", service));

    [Theory]
    [InlineData("feedback-accepted.json", "4e0a3a1e-3283-4575-ab82-028d55fe2719")]
    [InlineData("feedback-overridden.json", "f6b95768-b1c8-40dc-8385-bf3504b82ffb")]
    [InlineData("feedback-overridden-with-reason.json", "9368d37b-283f-44a0-93ea-547cebab93ed")]
    public async Task The_specifications_feedback_examples_are_accepted_and_stored_once(string file, string card)
    {
        await Issued(Guid.Parse(card));
        var body = await File.ReadAllTextAsync(Path.Combine(Fixtures.Root, "cds-hooks", file));

        var first = await PostFeedback(body);
        var again = await PostFeedback(body);

        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.Equal(HttpStatusCode.OK, again.Status);
        Assert.Equal(1, await server.Database.ScalarAsync("SELECT count(*) FROM cds_feedback WHERE card_uuid = @c", ("c", Guid.Parse(card))));
    }

    [Fact]
    public async Task Feedback_on_a_card_from_a_hook_call_is_stored_with_the_accepted_suggestion()
    {
        var card = Guid.NewGuid();
        var suggestion = Guid.NewGuid();
        await Issued(card);
        var (status, _) = await PostFeedback($$"""
            {"feedback":[{"card":"{{card}}","outcome":"accepted","acceptedSuggestions":[{"id":"{{suggestion}}"}],"outcomeTimestamp":"2026-11-25T10:05:31Z"}]}
            """);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(1, await server.Database.ScalarAsync(
            "SELECT count(*) FROM cds_feedback WHERE card_uuid = @c AND outcome = 'accepted' AND content -> 'acceptedSuggestions' -> 0 ->> 'id' = @s AND client_id = @client",
            ("c", card), ("s", suggestion.ToString()), ("client", CdsServerFixture.EhrIssuer)));
    }

    public static TheoryData<string, string> Invalid => new()
    {
        { "unknown card", """{"feedback":[{"card":"00000000-0000-0000-0000-000000000001","outcome":"overridden","outcomeTimestamp":"2026-11-25T10:00:00Z"}]}""" },
        { "card is not a uuid", """{"feedback":[{"card":"abc","outcome":"overridden","outcomeTimestamp":"2026-11-25T10:00:00Z"}]}""" },
        { "accepted without suggestions", """{"feedback":[{"card":"CARD","outcome":"accepted","outcomeTimestamp":"2026-11-25T10:00:00Z"}]}""" },
        { "unknown outcome", """{"feedback":[{"card":"CARD","outcome":"ignored","outcomeTimestamp":"2026-11-25T10:00:00Z"}]}""" },
        { "override reason on an accepted card", """{"feedback":[{"card":"CARD","outcome":"accepted","acceptedSuggestions":[{"id":"s"}],"overrideReason":{"userComment":"x"},"outcomeTimestamp":"2026-11-25T10:00:00Z"}]}""" },
        { "no timestamp", """{"feedback":[{"card":"CARD","outcome":"overridden"}]}""" },
        { "card of another service", """{"feedback":[{"card":"OTHER","outcome":"overridden","outcomeTimestamp":"2026-11-25T10:00:00Z"}]}""" },
        { "empty", """{"feedback":[]}""" },
        { "not json", "{" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public async Task Invalid_feedback_is_a_400_OperationOutcome_and_nothing_is_stored(string reason, string body)
    {
        var card = Guid.NewGuid();
        var other = Guid.NewGuid();
        await Issued(card);
        await Issued(other, "deterioration-risk");

        var (status, text) = await PostFeedback(body.Replace("CARD", card.ToString(), StringComparison.Ordinal).Replace("OTHER", other.ToString(), StringComparison.Ordinal));

        Assert.True(status == HttpStatusCode.BadRequest, reason);
        Assert.Equal("OperationOutcome", (string)JsonNode.Parse(text)!["resourceType"]!);
        Assert.Equal(0, await server.Database.ScalarAsync("SELECT count(*) FROM cds_feedback WHERE card_uuid IN (@a, @b)", ("a", card), ("b", other)));
    }

    [Fact]
    public async Task Feedback_for_an_unknown_service_is_404() =>
        Assert.Equal(HttpStatusCode.NotFound, (await PostFeedback("""{"feedback":[]}""", "/cds-services/nope/feedback")).Status);
}
