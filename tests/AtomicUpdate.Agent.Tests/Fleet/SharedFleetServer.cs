using System.Text.Json.Nodes;
using AtomicUpdate.Agent.Tests.Support;
using AtomicUpdate.Testing;

namespace AtomicUpdate.Agent.Tests.Fleet;

/// <summary>One au-server for the fleet tests that need no outage, with releases 1.0 to 1.2 signed for board-a and 1.1 registered.</summary>
public sealed class SharedFleetServer : IAsyncLifetime
{
    private readonly TempDirectory _work = new();

    internal FleetServer Server { get; private set; } = null!;

    internal FleetAdmin Admin { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var releases = await SignedTestRepository.CreateAsync(_work.Path, ["1.0", "1.1", "1.2"], ["board-a"]);
        Server = await FleetServer.StartAsync(_work.Path, new JsonObject
        {
            ["Repository"] = new JsonObject { ["Path"] = releases.Directory, ["TrustedRoot"] = releases.TrustedRoot },
        });
        Admin = new FleetAdmin(Server.BaseAddress);
        await Admin.PostAsync("api/v1/releases", new JsonObject { ["version"] = "1.1" });
    }

    public async Task DisposeAsync()
    {
        Admin?.Dispose();
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
        _work.Dispose();
    }
}
