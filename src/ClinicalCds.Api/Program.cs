using ClinicalCds.Api.Hosting;

var app = WebApp.Build(args);
await app.RunAsync();

/// <summary>Entry point, public for WebApplicationFactory in the tests.</summary>
public partial class Program;
