using ClinicalCds.Application.Abstractions;
using ClinicalCds.Application.Models.Evaluation;
using ClinicalCds.Application.Monitoring.CheckInputDrift;
using ClinicalCds.Domain.Features;
using ClinicalCds.Domain.Risks;
using ClinicalCds.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace ClinicalCds.IntegrationTests.Monitoring;

/// <summary>
/// Issue 22 item 3 end to end: a run stores the inputs it scored; the check compares them with the served model's card;
/// a drift planted in one feature's stored inputs raises that feature's alarms and degrades /health/ready, naming it.
/// </summary>
[Collection(ScoringServerFixture.Collection)]
public sealed class InputDriftTests(ScoringServerFixture fixture)
{
    [Fact]
    public async Task A_run_keeps_its_inputs_and_a_drift_planted_in_hemoglobin_raises_its_alarms_and_degrades_readiness()
    {
        // The fixture's 300 patients have few discharges a month: runs a month apart over the past year give the check enough.
        foreach (var daysBefore in Enumerable.Range(0, 12).Select(k => 360 - (30 * k)))
        {
            await fixture.ScoreAsync("last-12-months", "readmission", fixture.AsOf.AddDays(-daysBefore));
        }

        var hemoglobin = FeatureCatalog.Features.ToList().FindIndex(f => f.Name == "HemoglobinGdl");
        var since = fixture.AsOf.AddDays(-365);

        // Inputs with a recorded hemoglobin, as many as the catalog has features.
        Assert.True(await fixture.Database.ScalarAsync(
            "SELECT count(*) FROM risk_scores WHERE model = 'readmission' AND status = 'scored' AND jsonb_array_length(inputs) = @n",
            ("n", (long)FeatureCatalog.Features.Count)) > 0);

        // A year's inputs and a small minimum so that the fixture's few dozen discharges are judged (defaults: 30 days, 200).
        var thresholds = new DriftThresholds { Days = 365, MinimumInputs = 10 };
        // The fixture's runs are as of midnight UTC: its nightly run time here (issue 32 item 5: drift compares the nightly
        // runs' inputs with a reference taken at the same time of day).
        var midnight = new ClinicalCds.Application.Scoring.ScoringOptions { Cron = "0 0 * * *" };
        CheckInputDriftHandler Handler(IServiceProvider services, ClinicalCds.Application.Scoring.ScoringOptions? scoring = null, DriftThresholds? judged = null) => new(
            services.GetRequiredService<IMonitoringStore>(), services.GetRequiredService<IRiskModels>(), RiskCatalog.Default, judged ?? thresholds, scoring ?? midnight, TimeProvider.System);
        const string Scale = "UPDATE risk_scores SET inputs = jsonb_set(inputs, ARRAY[@i::text], to_jsonb((inputs ->> @i::int)::float8 * @factor)) " +
            "WHERE model = 'readmission' AND inputs ->> @i::int IS NOT NULL AND features_as_of >= @since";
        try
        {
            await using var scope = fixture.Services.CreateAsyncScope();
            var before = (await Handler(scope.ServiceProvider).Handle(new CheckInputDriftCommand(fixture.AsOf), CancellationToken.None)).Single(c => c.Model == "readmission");
            Assert.Equal(Repository.ShippedModel("readmission"), before.Method);
            Assert.True(before.Targets > 30, $"{before.Targets} targets");
            // A risk at discharge is judged as of the discharge whatever hour a run scores it: the same targets under a 02:00
            // schedule.
            var at2 = (await Handler(scope.ServiceProvider, new ClinicalCds.Application.Scoring.ScoringOptions()).Handle(new CheckInputDriftCommand(fixture.AsOf), CancellationToken.None))
                .Single(c => c.Model == "readmission");
            Assert.Equal(before.Targets, at2.Targets);

            // A small hospital: with the defaults' 30-day period and a minimum of half the year's targets, the period grows
            // 30 days at a time until it holds them — and no further.
            var half = new DriftThresholds { MinimumInputs = before.Targets / 2 };
            var grown = (await Handler(scope.ServiceProvider, judged: half).Handle(new CheckInputDriftCommand(fixture.AsOf), CancellationToken.None))
                .Single(c => c.Model == "readmission");
            var days = (fixture.AsOf - grown.From).TotalDays;
            Assert.True(days > 30 && days < 365 && days % 30 == 0, $"{days} days");
            Assert.True(grown.Targets >= half.MinimumInputs, $"{grown.Targets} targets");
            var shorter = (await Handler(scope.ServiceProvider, judged: new DriftThresholds { MinimumInputs = half.MinimumInputs, MaximumDays = (int)days - 30 })
                .Handle(new CheckInputDriftCommand(fixture.AsOf), CancellationToken.None)).Single(c => c.Model == "readmission");
            Assert.True(shorter.Targets < half.MinimumInputs, $"{shorter.Targets} targets in {days - 30} days");

            // A risk during the stay counts only the runs at the nightly hour: the inpatients at midnight, not at 18:00.
            // (Ten days before the end of the data, when the fixture's population has patients in hospital.)
            var midnight10 = fixture.AsOf.AddDays(-10);
            var nightly = (await fixture.ScoreAsync("admitted", "complication", midnight10)).Single();
            var evening = (await fixture.ScoreAsync("admitted", "complication", midnight10.AddHours(-6))).Single();
            var complication = (await Handler(scope.ServiceProvider).Handle(new CheckInputDriftCommand(midnight10.AddMinutes(1)), CancellationToken.None))
                .Single(c => c.Model == "complication");
            Assert.True(nightly.Scored > 0 && evening.Scored > 0, $"{nightly.Scored} inpatients scored at midnight, {evening.Scored} at 18:00");
            Assert.Equal(nightly.Scored, complication.Targets);
            Assert.Equal(0, (await Handler(scope.ServiceProvider, new ClinicalCds.Application.Scoring.ScoringOptions()).Handle(
                new CheckInputDriftCommand(midnight10.AddMinutes(1)), CancellationToken.None)).Single(c => c.Model == "complication").Targets);
            Assert.DoesNotContain(InputDrift.OutOfRange, before.Features[hemoglobin].Alarms);

            // Hemoglobin reported ten times too high, as a g/L value read as g/dL would be.
            await fixture.Database.ScalarAsync($"WITH u AS ({Scale} RETURNING 1) SELECT count(*) FROM u", ("i", (long)hemoglobin), ("factor", 10.0), ("since", since));
            var after = (await Handler(scope.ServiceProvider).Handle(new CheckInputDriftCommand(fixture.AsOf), CancellationToken.None)).Single(c => c.Model == "readmission");
            Assert.Contains(InputDrift.OutOfRange, after.Features[hemoglobin].Alarms);
            Assert.Contains(InputDrift.Shifted, after.Features[hemoglobin].Alarms);
            Assert.Equal(["HemoglobinGdl"], after.Alarmed.Where(f => f.Alarms.Contains(InputDrift.OutOfRange)).Select(f => f.Feature));
            Assert.Equal(1.0, after.Features[hemoglobin].OutOfRangeShare);

            using var client = new HttpClient { BaseAddress = fixture.BaseUrl };
            var ready = await client.GetAsync("/health/ready");
            var body = await ready.Content.ReadAsStringAsync();
            Assert.Contains("Degraded", body, StringComparison.Ordinal);
            Assert.Contains($"{Repository.ShippedModel("readmission")}: HemoglobinGdl", body, StringComparison.Ordinal);
        }
        finally
        {
            await fixture.Database.ScalarAsync($"WITH u AS ({Scale} RETURNING 1) SELECT count(*) FROM u", ("i", (long)hemoglobin), ("factor", 0.1), ("since", since));
            await fixture.Database.ScalarAsync("WITH d AS (DELETE FROM model_drift RETURNING 1) SELECT count(*) FROM d");
        }
    }
}
