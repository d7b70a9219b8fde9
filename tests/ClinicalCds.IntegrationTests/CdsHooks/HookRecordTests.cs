using ClinicalCds.Application.Abstractions;
using ClinicalCds.Application.Scoring;
using ClinicalCds.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace ClinicalCds.IntegrationTests.CdsHooks;

/// <summary>
/// Issue 34 item 3: a hook is evaluated, then recorded once — its audit row, the score it served and the cards it issued
/// in one transaction, so that no card exists without its audited call and no audited call lacks the score it showed.
/// </summary>
[Collection(CdsServer.Name)]
public sealed class HookRecordTests(CdsServerFixture server)
{
    private static HookAudit Audit(string instance, string outcome) =>
        new(DateTimeOffset.UtcNow, "readmission-risk", instance, CdsServerFixture.EhrIssuer, "Practitioner/1", "record-test", 200, outcome, 3.5);

    private static HookScore Served(string instance, DateTimeOffset instant) =>
        new("readmission", "record-test", $"enc-{instance}", instant, instance, new ShadowScore("model 9.9.9", 0.31, "moderate"),
            "model 1.0.0", 0.27, "moderate", [1.0, null, 3.0]);

    private static IssuedCard Card(Guid uuid, string instance) =>
        new(uuid, "readmission-risk", instance, "record-test", "warning", "Readmission risk 27% (moderate)", DateTimeOffset.UtcNow, [Guid.NewGuid()], ["urn:reason|x"]);

    private Task<long> Count(string table, string instance) =>
        server.Database.ScalarAsync($"SELECT count(*) FROM {table} WHERE hook_instance = @i", ("i", instance));

    [Fact]
    public async Task The_audit_row_the_served_score_and_the_cards_are_kept_together_or_not_at_all()
    {
        var store = server.Services.GetRequiredService<ICdsStore>();
        var (first, second) = ($"record-{Guid.NewGuid():N}", $"record-{Guid.NewGuid():N}");
        var card = Guid.NewGuid();

        await store.RecordCallAsync(Audit(first, "card warning"), Served(first, DateTimeOffset.UtcNow), [Card(card, first)], CancellationToken.None);
        Assert.Equal((1L, 1L, 1L, 1L), (await Count("cds_audit", first), await Count("cds_cards", first), await Count("hook_scores", first), await Count("shadow_scores", first)));

        // A second call whose card cannot be stored (the same uuid again) leaves nothing of itself: no audit row, no score.
        var refused = await Assert.ThrowsAsync<PostgresException>(() =>
            store.RecordCallAsync(Audit(second, "card warning"), Served(second, DateTimeOffset.UtcNow.AddMinutes(1)), [Card(card, second)], CancellationToken.None));
        Assert.Equal(PostgresErrorCodes.UniqueViolation, refused.SqlState);
        Assert.Equal((0L, 0L, 0L, 0L), (await Count("cds_audit", second), await Count("cds_cards", second), await Count("hook_scores", second), await Count("shadow_scores", second)));
        Assert.Equal(1L, await Count("cds_audit", first));
    }
}
