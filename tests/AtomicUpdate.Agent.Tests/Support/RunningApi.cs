using AtomicUpdate.Agent.LocalApi;
using Microsoft.Extensions.Logging.Abstractions;

namespace AtomicUpdate.Agent.Tests.Support;

/// <summary>A LocalApiServer on a socket in a fresh temp directory, with a fake controller; stopped and cleaned up on dispose.</summary>
internal sealed class RunningApi : IAsyncDisposable
{
    /// <summary>A group every Debian-like system has; the permission tests run the CLI as nobody with or without it.</summary>
    public const string AccessGroup = "users";

    public const uint AccessGroupId = 100;

    private readonly CancellationTokenSource _stop = new();
    private readonly TempDirectory _directory = new();

    private RunningApi(string? accessGroup)
    {
        SocketPath = _directory.Combine("run", "agent.sock");
        Server = new LocalApiServer(Controller, new LocalApiOptions { SocketPath = SocketPath, AccessGroup = accessGroup }, NullLoggerFactory.Instance);
        Run = Server.RunAsync(_stop.Token);
    }

    public FakeAgentController Controller { get; } = new();

    public LocalApiServer Server { get; }

    public string SocketPath { get; }

    public string Directory => _directory.Path;

    public Task Run { get; }

    public static async Task<RunningApi> StartAsync(string? accessGroup = AccessGroup)
    {
        var api = new RunningApi(accessGroup);
        await api.Server.Listening.WaitAsync(TimeSpan.FromSeconds(30));
        return api;
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Run.WaitAsync(TimeSpan.FromSeconds(30));
    }

    public async ValueTask DisposeAsync()
    {
        if (!Run.IsCompleted)
        {
            await StopAsync();
        }
        _stop.Dispose();
        _directory.Dispose();
    }
}
