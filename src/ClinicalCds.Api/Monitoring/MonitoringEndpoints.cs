using ClinicalCds.Api.Admin;
using ClinicalCds.Application.Models;
using ClinicalCds.Application.Monitoring.GetMonitoring;
using Mediator;

namespace ClinicalCds.Api.Monitoring;

/// <summary>The model monitoring as JSON for administrators: each method's realised performance per month and the latest input-drift checks.</summary>
public static class MonitoringEndpoints
{
    public static IEndpointRouteBuilder MapMonitoring(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/admin/monitoring", async (string? model, IMediator mediator, CancellationToken ct) =>
                Results.Json(await mediator.Send(new GetMonitoringQuery(model), ct), ModelCard.Json))
            .WithSummary("The model monitoring: each model version's realised performance per month and the latest input-drift and result-feed checks.")
            .WithDescription("Query: model (one model's monitoring; every model's when absent). Performance is computed nightly from served scores whose outcome windows have closed (`clinicalcds monitor`); alarms here also degrade /health/ready.")
            .Produces<ModelMonitoring>()
            .WithTags("Admin").RequireAuthorization(AdminAuthentication.Policy);
        return app;
    }
}
