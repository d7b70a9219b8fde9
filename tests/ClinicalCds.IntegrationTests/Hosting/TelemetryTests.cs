using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Text;
using ClinicalCds.Application;
using ClinicalCds.IntegrationTests.Infrastructure;

namespace ClinicalCds.IntegrationTests.Hosting;

/// <summary>The OpenTelemetry instruments record what the server does, listened to in-process as an exporter would.</summary>
[Collection(CdsServer.Name)]
public sealed class TelemetryTests(CdsServerFixture server) : IDisposable
{
    private readonly ConcurrentQueue<(string Instrument, double Value, Dictionary<string, object?> Tags)> _measurements = new();
    private readonly ConcurrentQueue<string> _spans = new();
    private readonly MeterListener _meters = new();
    private ActivityListener? _activities;

    private void Listen()
    {
        _meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == Telemetry.Name)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _meters.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        _meters.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        _meters.Start();
        _activities = new ActivityListener
        {
            ShouldListenTo = source => source.Name == Telemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = activity => _spans.Enqueue(activity.OperationName),
        };
        ActivitySource.AddActivityListener(_activities);
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags) =>
        _measurements.Enqueue((instrument.Name, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value)));

    public void Dispose()
    {
        _meters.Dispose();
        _activities?.Dispose();
    }

    [Fact]
    public async Task A_hook_call_and_an_ingest_are_measured_by_service_use_case_and_resource_type()
    {
        Listen();
        const string path = "/cds-services/patient-risk-summary";
        using var client = new HttpClient { BaseAddress = server.BaseUrl };
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new StringContent("""
                {"hook":"patient-view","hookInstance":"5f0a3c55-2d1e-4f7c-9d4b-0c1e2f3a4b5c",
                 "context":{"userId":"Practitioner/example","patientId":"nobody"},
                 "prefetch":{"patient":null,"encounters":null,"conditions":null,"observations":null,"procedures":null,"medications":null}}
                """, Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new("Bearer", server.Ehr.Token(server.Audience(path)));
        using var response = await client.SendAsync(request);
        var status = (int)response.StatusCode;

        using var admin = TestAdmin.Client(server.BaseUrl);
        using var bundle = new StringContent(
            """{"resourceType":"Bundle","type":"batch","entry":[{"resource":{"resourceType":"Patient","id":"telemetry-probe","gender":"other"},"request":{"method":"PUT","url":"Patient/telemetry-probe"}}]}""",
            Encoding.UTF8, "application/fhir+json");
        using var ingest = await admin.PostAsync("/fhir", bundle);
        Assert.Equal(HttpStatusCode.OK, ingest.StatusCode);

        // The hook's latency is recorded once its answer has gone out, a moment after the client has it.
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (!_measurements.Any(m => m.Instrument == "clinicalcds.hook.duration") && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.Equal(200, status);
        Assert.Contains(_measurements, m => m.Instrument == "clinicalcds.hook.duration" && m.Value > 0
            && Equals(m.Tags["service"], "patient-risk-summary") && Equals(m.Tags["operation"], "call") && Equals(m.Tags["status"], status));
        Assert.Contains(_measurements, m => m.Instrument == "clinicalcds.usecase.duration"
            && Equals(m.Tags["usecase"], "EvaluateHookCommand") && Equals(m.Tags["outcome"], "ok"));
        Assert.Contains("EvaluateHookCommand", _spans);

        Assert.Contains(_measurements, m => m.Instrument == "clinicalcds.ingest.resources" && m.Value >= 1 && Equals(m.Tags["resource_type"], "Patient"));
        Assert.Contains("IngestBundleCommand", _spans);
        // Tags name services, use cases and types; never a patient.
        Assert.DoesNotContain(_measurements, m => m.Tags.Values.Any(v => v?.ToString() is "nobody" or "telemetry-probe"));
    }
}
