using AtomicUpdate.Agent.Fleet;
using AtomicUpdate.Agent.Service;
using AtomicUpdate.Agent.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace AtomicUpdate.Agent.Tests.Fleet;

/// <summary>
/// One device's side of fleet reporting in a private directory: a state directory, an enrollment
/// secret file and a serial file (unique per device), and a <see cref="FleetService"/> that can
/// run in the background and be stopped and made again over the same files, as across a restart.
/// </summary>
internal sealed class FleetDevice : IAsyncDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly HttpClient _http;
    private CancellationTokenSource? _running;
    private readonly TimeProvider? _time;
    private Task? _run;

    public FleetDevice(Uri server, IAgentController controller, Func<FleetOptions, FleetOptions>? configure = null, HttpMessageHandler? handler = null, string? serial = null, TimeProvider? time = null)
    {
        Controller = controller;
        _time = time;
        _http = handler is null ? new HttpClient() : new HttpClient(handler);
        File.WriteAllText(_directory.Combine("secret"), FleetServer.EnrollmentSecret + "\n");
        File.WriteAllText(_directory.Combine("machine-id"), (serial ?? Guid.NewGuid().ToString("N")) + "\n");
        Options = new FleetOptions
        {
            Server = server,
            EnrollmentSecretFile = _directory.Combine("secret"),
            HardwareId = "board-a",
            Channel = "stable",
            StateDirectory = _directory.Combine("state"),
            SerialFile = _directory.Combine("machine-id"),
            PollInterval = TimeSpan.FromMinutes(10),
            PollJitter = TimeSpan.Zero,
            ProgressInterval = TimeSpan.FromSeconds(10),
            RetryMinimum = TimeSpan.FromMilliseconds(100),
            RetryMaximum = TimeSpan.FromMilliseconds(500),
            RequestTimeout = TimeSpan.FromSeconds(5),
        };
        Options = configure?.Invoke(Options) ?? Options;
        Service = NewService();
    }

    public FleetOptions Options { get; }

    public IAgentController Controller { get; }

    public FleetService Service { get; private set; }

    public string Directory => _directory.Path;

    public string DeviceId => Service.Client.Identity?.DeviceId ?? throw new InvalidOperationException("The device has not enrolled.");

    /// <summary>Waits until the running service has enrolled.</summary>
    public async Task<string> WaitForEnrollmentAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (Service.Client.Identity is null)
        {
            Assert.True(DateTime.UtcNow < deadline, "The device did not enroll within 15 s.");
            await Task.Delay(50);
        }
        return DeviceId;
    }

    public void Start()
    {
        _running = new CancellationTokenSource();
        _run = Service.RunAsync(_running.Token);
    }

    /// <summary>Stops the service and makes a new one over the same files, as a restarted daemon.</summary>
    public async Task RestartAsync(bool start)
    {
        await StopAsync();
        Service = NewService();
        if (start)
        {
            Start();
        }
    }

    public async Task StopAsync()
    {
        if (_running is null || _run is null)
        {
            return;
        }
        await _running.CancelAsync();
        await _run.WaitAsync(TimeSpan.FromSeconds(10));
        _running.Dispose();
        _running = null;
        _run = null;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _http.Dispose();
        _directory.Dispose();
    }

    private FleetService NewService() => new(Options, Controller, _http, NullLogger.Instance, _time);
}
