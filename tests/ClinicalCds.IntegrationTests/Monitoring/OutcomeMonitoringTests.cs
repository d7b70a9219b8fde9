using System.Globalization;
using System.Net;
using System.Text.Json;
using ClinicalCds.Application.Models.Evaluation;
using ClinicalCds.Application.Monitoring.MonitorOutcomes;
using ClinicalCds.IntegrationTests.Infrastructure;
using ClinicalCds.Synthetic;
using Mediator;
using Microsoft.Extensions.DependencyInjection;

namespace ClinicalCds.IntegrationTests.Monitoring;

/// <summary>
/// Issue 22 item 2: scores served by population runs at past instants are labelled once their windows have closed, and
/// the monitoring's numbers equal those computed here from the generator's own ground truth (not from the store).
/// </summary>
[Collection(ScoringServerFixture.Collection)]
public sealed class OutcomeMonitoringTests(ScoringServerFixture fixture, Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public async Task Served_readmission_scores_are_labelled_after_30_days_as_the_ground_truth_says_and_recomputing_changes_nothing()
    {
        // Runs as of past instants a fortnight apart (a discharge is scored by up to two of them, and counted once): by the
        // fixture's as-of every one of their windows has closed.
        foreach (var daysBefore in Enumerable.Range(0, 13).Select(k => 225 - (15 * k)))
        {
            await fixture.ScoreAsync("last-12-months", "readmission", fixture.AsOf.AddDays(-daysBefore));
        }

        await using var scope = fixture.Services.CreateAsyncScope();
        var mediator = scope.ServiceProvider.GetRequiredService<IMediator>();
        var result = await mediator.Send(new MonitorOutcomesCommand(fixture.AsOf));

        // Independently: every distinct target served by a run before the fixture's as-of − 30 days, first as served,
        // labelled by the generator's ground truth for that discharge.
        var truth = File.ReadLines(Path.Combine(fixture.Population, GroundTruth.Folder, GroundTruth.ReadmissionFile)).Skip(1)
            .Select(l => l.Split(','))
            .ToDictionary(f => f[1], f => f[4] switch { "1" => (bool?)true, "0" => false, _ => null }, StringComparer.Ordinal);
        var served = new List<(string Method, DateTimeOffset Instant, double Probability, bool Outcome)>();
        await using (var connection = new Npgsql.NpgsqlConnection(fixture.Database.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new Npgsql.NpgsqlCommand(
                """
                SELECT DISTINCT ON (patient_id, encounter_id, features_as_of, method) method, encounter_id, features_as_of, probability
                FROM risk_scores WHERE model = 'readmission' AND status = 'scored' AND features_as_of < @closed
                ORDER BY patient_id, encounter_id, features_as_of, method, scored_at
                """, connection);
            command.Parameters.AddWithValue("closed", fixture.AsOf.AddDays(-30));
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                var label = truth[reader.GetString(1)];
                Assert.True(label is not null, $"discharge {reader.GetString(1)}: its window closed, the ground truth must know its outcome");
                served.Add((reader.GetString(0), reader.GetFieldValue<DateTimeOffset>(2), reader.GetDouble(3), label!.Value));
            }
        }

        Assert.True(served.Count > 40, $"{served.Count} served targets");
        Assert.Contains(served, s => s.Outcome);
        var readmission = result.Periods.Where(p => p.Model == "readmission").ToList();
        Assert.Equal(served.Count, readmission.Sum(p => p.Metrics.Rows));
        foreach (var group in served.GroupBy(s => (s.Method, Month: s.Instant.UtcDateTime.ToString("yyyy-MM", CultureInfo.InvariantCulture))))
        {
            var period = Assert.Single(readmission, p => p.Method == group.Key.Method && p.Month.ToString("yyyy-MM", CultureInfo.InvariantCulture) == group.Key.Month);
            Assert.Equal(group.Count(), period.Metrics.Rows);
            Assert.Equal(group.Count(s => s.Outcome), period.Metrics.Positives);
            var expected = Metrics.Auroc([.. group.Select(s => s.Probability)], [.. group.Select(s => s.Outcome)]);
            Assert.Equal(expected, period.Metrics.Auroc.Value, 12);
            // Observed against predicted by decile: together, every target once.
            Assert.Equal(group.Count(), period.Metrics.CalibrationCurve.Sum(b => b.Rows));
        }

        // Idempotent: computing again stores the same months with the same numbers, once each.
        var again = await mediator.Send(new MonitorOutcomesCommand(fixture.AsOf));
        Assert.Equal(
            result.Periods.Select(p => (p.Method, p.Month, p.Metrics.Rows, p.Metrics.Auroc)).Order(),
            again.Periods.Select(p => (p.Method, p.Month, p.Metrics.Rows, p.Metrics.Auroc)).Order());
        Assert.Equal(again.Periods.Count, await fixture.Database.ScalarAsync("SELECT count(*) FROM model_monitoring"));

        // Issue 32 item 4: with the shipped lag rule — a target counts only when first scored within 48 h of its instant —
        // the runs a fortnight apart leave out every discharge first scored by a run days after it, counted as late;
        // checked against the same first-served scores read here with their run's as-of.
        var lagged = new List<(string Method, string Month, bool Late)>();
        await using (var connection = new Npgsql.NpgsqlConnection(fixture.Database.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new Npgsql.NpgsqlCommand(
                """
                SELECT DISTINCT ON (patient_id, encounter_id, features_as_of, method) method, features_as_of, as_of - features_as_of > interval '48 hours'
                FROM risk_scores WHERE model = 'readmission' AND status = 'scored' AND features_as_of < @closed
                ORDER BY patient_id, encounter_id, features_as_of, method, scored_at
                """, connection);
            command.Parameters.AddWithValue("closed", fixture.AsOf.AddDays(-30));
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                lagged.Add((reader.GetString(0), reader.GetFieldValue<DateTimeOffset>(1).UtcDateTime.ToString("yyyy-MM", CultureInfo.InvariantCulture), reader.GetBoolean(2)));
            }
        }

        var shipped = new MonitorOutcomesHandler(
            scope.ServiceProvider.GetRequiredService<ClinicalCds.Application.Abstractions.IMonitoringStore>(),
            new ClinicalCds.Application.Monitoring.ServedOutcomes(
                scope.ServiceProvider.GetRequiredService<ClinicalCds.Application.Abstractions.IMonitoringStore>(),
                scope.ServiceProvider.GetRequiredService<ClinicalCds.Application.Abstractions.IPatientTimelineReader>(),
                new ClinicalCds.Application.Scoring.ScoringOptions()),
            scope.ServiceProvider.GetRequiredService<ClinicalCds.Domain.Risks.RiskCatalog>(),
            scope.ServiceProvider.GetRequiredService<ClinicalCds.Application.Abstractions.IRiskModels>(),
            new ClinicalCds.Application.Monitoring.PerformanceAlarmOptions(),
            TimeProvider.System);
        var timely = (await shipped.Handle(new MonitorOutcomesCommand(fixture.AsOf), default)).Periods.Where(p => p.Model == "readmission").ToList();
        Assert.Contains(lagged, l => l.Late);
        Assert.Equal(lagged.Count(l => !l.Late), timely.Sum(p => p.Metrics.Rows));
        foreach (var period in timely)
        {
            var month = lagged.Where(l => l.Method == period.Method && l.Month == period.Month.ToString("yyyy-MM", CultureInfo.InvariantCulture)).ToList();
            Assert.Equal((month.Count(l => !l.Late), month.Count(l => l.Late)), (period.Metrics.Rows, period.Late));
            Assert.InRange(period.MedianLagHours!.Value, 0, 48);
        }

        // An alarm turns readiness Degraded, naming the model: a slope floor no model can meet (100), judged on any event.
        var alarming = await new MonitorOutcomesHandler(
            scope.ServiceProvider.GetRequiredService<ClinicalCds.Application.Abstractions.IMonitoringStore>(),
            scope.ServiceProvider.GetRequiredService<ClinicalCds.Application.Monitoring.ServedOutcomes>(),
            scope.ServiceProvider.GetRequiredService<ClinicalCds.Domain.Risks.RiskCatalog>(),
            scope.ServiceProvider.GetRequiredService<ClinicalCds.Application.Abstractions.IRiskModels>(),
            new ClinicalCds.Application.Monitoring.PerformanceAlarmOptions { MinimumEvents = 1, MinimumSlope = 100 },
            TimeProvider.System).Handle(new MonitorOutcomesCommand(fixture.AsOf), default);
        Assert.NotEmpty(Assert.Single(alarming.Performance, c => c.Model == "readmission").Alarms);
        using (var anonymous = new HttpClient { BaseAddress = fixture.BaseUrl })
        {
            var ready = JsonDocument.Parse(await (await anonymous.GetAsync("/health/ready")).Content.ReadAsStringAsync()).RootElement;
            var performance = ready.GetProperty("checks").GetProperty("model-performance");
            Assert.Equal("Degraded", performance.GetProperty("status").GetString());
            Assert.Contains("readmission", performance.GetRawText(), StringComparison.Ordinal);
        }

        // Back to the fixture's rule for what follows.
        var final = await mediator.Send(new MonitorOutcomesCommand(fixture.AsOf));

        // The served model's rolling-window check (issue 32 item 4): over the latest whole months, on as many of the
        // counted targets as the window holds, kept and reported by /health/ready — degraded exactly when it alarms.
        var check = Assert.Single(final.Performance, c => c.Model == "readmission");
        output.WriteLine(check.Summary);
        Assert.Equal(Repository.ShippedModel("readmission"), check.Method);
        var windowed = served.Where(s => s.Method == check.Method
            && DateOnly.FromDateTime(s.Instant.UtcDateTime) >= check.From && DateOnly.FromDateTime(s.Instant.UtcDateTime) < check.Until.AddMonths(1)).ToList();
        if (check.Metrics is { } pooled)
        {
            Assert.Equal((windowed.Count, windowed.Count(s => s.Outcome)), (pooled.Rows, pooled.Positives));
            Assert.True(pooled.Positives >= 100);
        }
        else
        {
            Assert.True(served.Count(s => s.Outcome) < 100 || windowed.Count(s => s.Outcome) < 100, check.Summary);
        }

        var stored = (await scope.ServiceProvider.GetRequiredService<ClinicalCds.Application.Abstractions.IMonitoringStore>().LatestPerformanceAsync(default))
            .Single(c => c.Method == check.Method);
        Assert.Equal((check.From, check.Until, check.Metrics?.Rows), (stored.From, stored.Until, stored.Metrics?.Rows));
        Assert.Equal(check.Alarms, stored.Alarms);
        using (var anonymous = new HttpClient { BaseAddress = fixture.BaseUrl })
        {
            var ready = JsonDocument.Parse(await (await anonymous.GetAsync("/health/ready")).Content.ReadAsStringAsync()).RootElement;
            var performance = ready.GetProperty("checks").GetProperty("model-performance");
            Assert.Equal(check.Alarms.Count > 0 ? "Degraded" : "Healthy", performance.GetProperty("status").GetString());
        }

        // The same numbers for administrators as JSON.
        using var client = fixture.AdminClient();
        using var response = await client.GetAsync("/api/admin/monitoring?model=readmission");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var outcomes = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("outcomes");
        Assert.Equal(readmission.Count, outcomes.GetArrayLength());
        Assert.All(outcomes.EnumerateArray(), o => Assert.Equal("readmission", o.GetProperty("model").GetString()));
    }
}
