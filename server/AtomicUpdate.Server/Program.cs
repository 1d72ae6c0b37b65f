var builder = WebApplication.CreateSlimBuilder(args);
var app = builder.Build();

// Liveness for orchestrators; the fleet API and dashboard arrive with the fleet server issue.
app.MapGet("/healthz", () => Results.Text("ok\n"));
app.Run();
