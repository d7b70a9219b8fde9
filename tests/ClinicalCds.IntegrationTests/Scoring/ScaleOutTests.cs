using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using ClinicalCds.IntegrationTests.Infrastructure;

namespace ClinicalCds.IntegrationTests.Scoring;

/// <summary>The scale-out layout of docs/operations.md, as real processes: two API replicas and two workers on one database.</summary>
public sealed class ScaleOutTests(WorkerPopulationFixture fixture) : IClassFixture<WorkerPopulationFixture>
{
    [Fact]
    public async Task Two_API_processes_and_two_workers_on_one_PostgreSQL_serve_hooks_runs_and_the_worklist_together()
    {
        var environment = new Dictionary<string, string>(fixture.Environment)
        {
            ["Admin__ApiKeys__0"] = TestAdmin.Key,
            ["CdsHooks__RequireAuthentication"] = "false",
            ["CdsHooks__StoreFallback"] = "true",
        };
        var urls = new[] { new Uri($"http://127.0.0.1:{Ports.Free()}"), new Uri($"http://127.0.0.1:{Ports.Free()}") };
        await using var api1 = CliProcess.Start(environment, CliProcess.Serve(urls[0]));
        await using var api2 = CliProcess.Start(environment, CliProcess.Serve(urls[1]));
        await using var worker1 = CliProcess.Start(environment, "worker");
        await using var worker2 = CliProcess.Start(environment, "worker");
        var apis = urls.Select(TestAdmin.Client).ToList();
        try
        {
            foreach (var (api, process) in apis.Zip([api1, api2]))
            {
                await WaitAsync(async () =>
                {
                    try
                    {
                        using var ready = await api.GetAsync("/health/ready");
                        return ready.StatusCode == HttpStatusCode.OK;
                    }
                    catch (HttpRequestException)
                    {
                        return false;
                    }
                }, $"an API replica to be ready\n{process.Output}");
            }

            // A run requested on one replica is worked by both workers and seen, finished, on the other replica.
            using var requested = await apis[0].PostAsJsonAsync("/admin/scoring/runs", new { cohort = "last-12-months", model = "readmission" });
            Assert.Equal(HttpStatusCode.Accepted, requested.StatusCode);
            var key = (await requested.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("requestKey").GetString()!;
            JsonElement run = default;
            await WaitAsync(async () =>
            {
                var runs = await apis[1].GetFromJsonAsync<JsonElement>($"/admin/scoring/runs?request={Uri.EscapeDataString(key)}");
                run = runs.EnumerateArray().FirstOrDefault();
                return run.ValueKind == JsonValueKind.Object && run.GetProperty("status").GetString() == "completed";
            }, $"the run to complete\n{worker1.Output}\n{worker2.Output}");

            var runId = run.GetProperty("runId").GetInt64();
            Assert.Equal(2, await fixture.Database.ScalarAsync("SELECT count(DISTINCT worker) FROM score_run_chunks WHERE run_id = @run", ("run", runId)));
            var scored = run.GetProperty("scored").GetInt32();
            Assert.Equal(scored, await fixture.Database.ScalarAsync("SELECT count(*) FROM risk_scores WHERE run_id = @run AND status = 'scored'", ("run", runId)));

            // Both replicas rank the same worklist and answer hooks from the same store.
            var lists = await Task.WhenAll(apis.Select(api => api.GetFromJsonAsync<JsonElement>("/api/worklist?model=readmission&pageSize=500")));
            Assert.All(lists, list => Assert.Equal(scored, list.GetProperty("total").GetInt32()));
            Assert.Equal(lists[0].GetProperty("rows").ToString(), lists[1].GetProperty("rows").ToString());
            var patient = lists[0].GetProperty("rows")[0].GetProperty("patientId").GetString()!;
            foreach (var api in apis)
            {
                using var hook = await api.PostAsJsonAsync("/cds-services/patient-risk-summary", new JsonObject
                {
                    ["hook"] = "patient-view",
                    ["hookInstance"] = Guid.NewGuid().ToString(),
                    ["context"] = new JsonObject { ["userId"] = "Practitioner/scale", ["patientId"] = patient },
                });
                Assert.Equal(HttpStatusCode.OK, hook.StatusCode);
            }
        }
        finally
        {
            apis.ForEach(api => api.Dispose());
        }
    }

    private static async Task WaitAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting for {what}");
            await Task.Delay(200);
        }
    }
}
