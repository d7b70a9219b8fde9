using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using ClinicalCds.Application.Abstractions;
using ClinicalCds.Application.CdsHooks.EvaluateHook;
using ClinicalCds.Application.CdsHooks.GetFeedbackAnalytics;
using ClinicalCds.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace ClinicalCds.IntegrationTests.CdsHooks;

/// <summary>
/// CDS Hooks 2.0 "Feedback": the specification's three examples, validation against the card answered (its suggestions,
/// its override reasons), one outcome per card (a repeat is idempotent, a contradiction a 409).
/// </summary>
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

    private const string ReasonSystem = "https://example.com/cds-hooks/override-reason-system";

    /// <summary>The suggestion the specification's accepted example takes; every test card offers it.</summary>
    private static readonly Guid OfferedSuggestion = Guid.Parse("e56e1945-20b3-4393-8503-a1a20fd73152");

    /// <summary>
    /// Records a card as issued by <paramref name="service"/>, as a hook call would have, offering the specification
    /// example's suggestion and override reason (d7ecf885) and one more of each.
    /// </summary>
    private Task Issued(Guid uuid, string service = Service) => server.Database.ScalarAsync(
        """
        INSERT INTO cds_cards (uuid, service_id, hook_instance, patient_id, indicator, summary, issued_at, suggestion_ids, override_reasons)
        VALUES (@uuid, @service, 'spec-example', 'p', 'info', 'Example Card', now(), ARRAY[@s1, @s2]::uuid[], ARRAY[@r1, @r2])
        ON CONFLICT DO NOTHING RETURNING 1
        """, ("uuid", uuid), ("service", service), ("s1", OfferedSuggestion), ("s2", SecondSuggestion),
        ("r1", $"{ReasonSystem}|d7ecf885"), ("r2", $"{ReasonSystem}|other"));

    private static readonly Guid SecondSuggestion = Guid.Parse("0d4a5e0c-6b0e-4f43-9a52-3a4f0d6f6e11");

    private static string Accepted(Guid card, params Guid[] suggestions) =>
        $$"""{"card":"{{card}}","outcome":"accepted","acceptedSuggestions":[{{string.Join(",", suggestions.Select(s => $$"""{"id":"{{s}}"}"""))}}],"outcomeTimestamp":"2026-11-25T10:05:31Z"}""";

    private static string Overridden(Guid card, string? reason = null)
    {
        var overrideReason = reason is null ? "" : $$$"""
            "overrideReason":{"reason":{"code":"{{{reason}}}","system":"{{{ReasonSystem}}}"}},
            """;
        return $$"""{"card":"{{card}}","outcome":"overridden",{{overrideReason}}"outcomeTimestamp":"2026-11-25T10:05:31Z"}""";
    }

    private static string Feedback(params string[] items) => $$"""{"feedback":[{{string.Join(",", items)}}]}""";

    private Task<long> Stored(Guid card) => server.Database.ScalarAsync("SELECT count(*) FROM cds_feedback WHERE card_uuid = @c", ("c", card));

    private async Task<System.Text.Json.JsonElement> AnalyticsLineAsync(string service, string indicator)
    {
        using var admin = TestAdmin.Client(server.BaseUrl);
        var analytics = await System.Net.Http.Json.HttpClientJsonExtensions.GetFromJsonAsync<System.Text.Json.JsonElement>(admin, "/admin/cds/feedback");
        return analytics.GetProperty("totals").EnumerateArray()
            .FirstOrDefault(l => l.GetProperty("serviceId").GetString() == service && l.GetProperty("indicator").GetString() == indicator);
    }

    private static long Count(System.Text.Json.JsonElement line, string name) => line.ValueKind == System.Text.Json.JsonValueKind.Undefined ? 0 : line.GetProperty(name).GetInt64();

    /// <summary>Issue 33 item 8: every feedback call leaves an audit row with its outcome, never as if it were a hook call.</summary>
    [Fact]
    public async Task Every_feedback_call_is_audited_with_its_outcome()
    {
        Task<long> Audited(int status, string outcome) => server.Database.ScalarAsync(
            "SELECT count(*) FROM cds_audit WHERE service_id = @s AND status = @status AND outcome = @o", ("s", Service), ("status", status), ("o", outcome));
        async Task AuditedOnce(int status, string outcome, Func<Task> call)
        {
            var before = await Audited(status, outcome);
            await call();
            Assert.Equal(before + 1, await Audited(status, outcome));
        }

        var (card, other) = (Guid.NewGuid(), Guid.NewGuid());
        await Issued(card);
        await Issued(other);
        await AuditedOnce(200, "feedback: 2 cards (1 accepted, 1 overridden)",
            async () => Assert.Equal(HttpStatusCode.OK, (await PostFeedback(Feedback(Accepted(card, OfferedSuggestion), Overridden(other, "d7ecf885")))).Status));
        await AuditedOnce(400, "feedback: InvalidRequest", async () => Assert.Equal(HttpStatusCode.BadRequest, (await PostFeedback(Feedback("""{"card":"not-a-uuid"}"""))).Status));
        await AuditedOnce(409, "feedback: Conflict", async () => Assert.Equal(HttpStatusCode.Conflict, (await PostFeedback(Feedback(Overridden(card)))).Status));
        await AuditedOnce(401, "feedback refused:no-bearer-token", async () =>
        {
            using var anonymous = new HttpClient { BaseAddress = server.BaseUrl };
            using var refused = await anonymous.PostAsync(FeedbackPath, new StringContent(Feedback(Accepted(card, OfferedSuggestion)), Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        });
    }

    [Fact]
    public async Task Feedback_analytics_count_cards_shown_accepted_and_overridden_by_reason_and_the_patient_page_lists_them()
    {
        var before = await AnalyticsLineAsync(Service, "info");
        var (accepted, overridden, unanswered) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        await Issued(accepted);
        await Issued(overridden);
        await Issued(unanswered);
        Assert.Equal(HttpStatusCode.OK, (await PostFeedback(Feedback(Accepted(accepted, OfferedSuggestion)))).Status);
        Assert.Equal(HttpStatusCode.OK, (await PostFeedback(Feedback(Overridden(overridden, "d7ecf885")))).Status);

        var after = await AnalyticsLineAsync(Service, "info");
        Assert.Equal(
            (3L, 1L, 1L, 3L),
            (Count(after, "shown") - Count(before, "shown"), Count(after, "accepted") - Count(before, "accepted"),
                Count(after, "overridden") - Count(before, "overridden"), Count(after, "withSuggestions") - Count(before, "withSuggestions")));
        long Reason(System.Text.Json.JsonElement line) =>
            line.ValueKind == System.Text.Json.JsonValueKind.Undefined || !line.GetProperty("overrideReasons").TryGetProperty("d7ecf885", out var n) ? 0 : n.GetInt64();
        Assert.Equal(1, Reason(after) - Reason(before));
        using (var page = TestAdmin.Client(server.BaseUrl))
        {
            Assert.Contains("d7ecf885 (", await page.GetStringAsync("/admin/feedback"), StringComparison.Ordinal);
        }

        // Per patient (the worklist's patient page and API): the cards shown, newest first, with what clinicians did.
        var cards = await server.Services.GetRequiredService<IFeedbackAnalytics>().PatientFeedbackAsync("p", 500, CancellationToken.None);
        Assert.Contains(cards, c => c is { Outcome: "overridden", OverrideReason: $"{ReasonSystem}|d7ecf885" });
        Assert.Contains(cards, c => c is { Outcome: "accepted", OverrideReason: null });
        Assert.Contains(cards, c => c.Outcome is null);
        // Our own override reasons read in words; another system's by its code.
        Assert.Equal("Patient declined", GetFeedbackAnalyticsHandler.ReasonText($"{RiskCards.OverrideReasonSystem}|patient-declined"));
        Assert.Equal("d7ecf885", GetFeedbackAnalyticsHandler.ReasonText($"{ReasonSystem}|d7ecf885"));
    }

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
        var suggestion = SecondSuggestion;
        await Issued(card);
        var (status, _) = await PostFeedback(Feedback(Accepted(card, suggestion)));

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
        { "override reason on an accepted card", """{"feedback":[{"card":"CARD","outcome":"accepted","acceptedSuggestions":[{"id":"e56e1945-20b3-4393-8503-a1a20fd73152"}],"overrideReason":{"userComment":"x"},"outcomeTimestamp":"2026-11-25T10:00:00Z"}]}""" },
        { "a suggestion id the card never offered", """{"feedback":[{"card":"CARD","outcome":"accepted","acceptedSuggestions":[{"id":"bogus"}],"outcomeTimestamp":"2026-11-25T10:00:00Z"}]}""" },
        { "a suggestion uuid the card never offered", """{"feedback":[{"card":"CARD","outcome":"accepted","acceptedSuggestions":[{"id":"e56e1945-20b3-4393-8503-a1a20fd73152"},{"id":"9b9b0c1e-0000-4000-8000-000000000000"}],"outcomeTimestamp":"2026-11-25T10:00:00Z"}]}""" },
        { "an override reason the card did not list", """{"feedback":[{"card":"CARD","outcome":"overridden","overrideReason":{"reason":{"code":"made-up","system":"https://example.com/cds-hooks/override-reason-system"}},"outcomeTimestamp":"2026-11-25T10:00:00Z"}]}""" },
        { "a listed code under another system", """{"feedback":[{"card":"CARD","outcome":"overridden","overrideReason":{"reason":{"code":"d7ecf885","system":"https://elsewhere.example/"}},"outcomeTimestamp":"2026-11-25T10:00:00Z"}]}""" },
        { "suggestions on an overridden card", """{"feedback":[{"card":"CARD","outcome":"overridden","acceptedSuggestions":[{"id":"e56e1945-20b3-4393-8503-a1a20fd73152"}],"outcomeTimestamp":"2026-11-25T10:00:00Z"}]}""" },
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
    public async Task An_override_reason_the_card_offered_is_stored_and_a_comment_alone_is_allowed()
    {
        var withReason = Guid.NewGuid();
        var withComment = Guid.NewGuid();
        await Issued(withReason);
        await Issued(withComment);

        var first = await PostFeedback(Feedback(Overridden(withReason, "other")));
        var second = await PostFeedback(Feedback($$"""{"card":"{{withComment}}","outcome":"overridden","overrideReason":{"userComment":"Seen today"},"outcomeTimestamp":"2026-11-25T10:05:31Z"}"""));

        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.Equal(HttpStatusCode.OK, second.Status);
        Assert.Equal(1, await Stored(withReason));
        Assert.Equal(1, await Stored(withComment));
    }

    [Fact]
    public async Task A_repeat_of_the_same_outcome_is_idempotent_even_with_another_timestamp()
    {
        var card = Guid.NewGuid();
        await Issued(card);

        var first = await PostFeedback(Feedback(Accepted(card, OfferedSuggestion)));
        var repeat = await PostFeedback(Feedback(Accepted(card, OfferedSuggestion).Replace("10:05:31", "10:07:00", StringComparison.Ordinal)));

        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.Equal(HttpStatusCode.OK, repeat.Status);
        Assert.Equal(1, await Stored(card));
        Assert.Equal("accepted", await server.Database.TextAsync("SELECT outcome FROM cds_cards WHERE uuid = @c", ("c", card)));
    }

    public static TheoryData<string, string, string> Contradictions => new()
    {
        { "overridden after accepted", "accepted", "overridden" },
        { "accepted after overridden", "overridden", "accepted" },
        { "another suggestion after accepted", "accepted", "accepted-second" },
        { "another reason after overridden", "overridden-reason", "overridden-other-reason" },
    };

    [Theory]
    [MemberData(nameof(Contradictions))]
    public async Task A_contradicting_outcome_is_a_409_and_the_first_stands(string name, string first, string then)
    {
        var card = Guid.NewGuid();
        await Issued(card);
        string Item(string kind) => kind switch
        {
            "accepted" => Accepted(card, OfferedSuggestion),
            "accepted-second" => Accepted(card, SecondSuggestion),
            "overridden" => Overridden(card),
            "overridden-reason" => Overridden(card, "d7ecf885"),
            "overridden-other-reason" => Overridden(card, "other"),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };

        var stored = await PostFeedback(Feedback(Item(first)));
        var (status, body) = await PostFeedback(Feedback(Item(then)));

        Assert.Equal(HttpStatusCode.OK, stored.Status);
        Assert.True(status == HttpStatusCode.Conflict, name);
        Assert.Equal("OperationOutcome", (string)JsonNode.Parse(body)!["resourceType"]!);
        Assert.Equal(1, await Stored(card));
        Assert.Equal(first.Split('-')[0], await server.Database.TextAsync("SELECT outcome FROM cds_cards WHERE uuid = @c", ("c", card)));
    }

    [Fact]
    public async Task Both_outcomes_for_one_card_in_one_request_are_a_409_and_nothing_is_stored()
    {
        var card = Guid.NewGuid();
        var innocent = Guid.NewGuid();
        await Issued(card);
        await Issued(innocent);

        var (status, _) = await PostFeedback(Feedback(Overridden(innocent), Accepted(card, OfferedSuggestion), Overridden(card)));

        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Equal(0, await Stored(card));
        Assert.Equal(0, await Stored(innocent));
    }

    [Fact]
    public async Task A_conflict_with_a_stored_outcome_stores_nothing_of_its_request()
    {
        var card = Guid.NewGuid();
        var innocent = Guid.NewGuid();
        await Issued(card);
        await Issued(innocent);
        await PostFeedback(Feedback(Overridden(card)));

        var (status, _) = await PostFeedback(Feedback(Overridden(innocent), Accepted(card, OfferedSuggestion)));

        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Equal(0, await Stored(innocent));
        Assert.Null(await server.Database.TextAsync("SELECT outcome FROM cds_cards WHERE uuid = @c", ("c", innocent)));
    }

    [Fact]
    public async Task Feedback_for_an_unknown_service_is_404() =>
        Assert.Equal(HttpStatusCode.NotFound, (await PostFeedback("""{"feedback":[]}""", "/cds-services/nope/feedback")).Status);
}
