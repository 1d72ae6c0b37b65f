using AtomicUpdate.Agent.Service;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AtomicUpdate.Agent.LocalApi;

/// <summary>
/// The agent's local API: HTTP and JSON over a Unix socket that only root and the access group can
/// open. <see cref="RunAsync"/> serves until cancelled; <see cref="Listening"/> completes once the
/// socket accepts connections with its final owner and mode (the moment to tell systemd READY=1).
/// </summary>
internal sealed class LocalApiServer(IAgentController controller, LocalApiOptions options, ILoggerFactory loggerFactory)
{
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(5);

    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ILogger _logger = loggerFactory.CreateLogger<LocalApiServer>();

    public Task Listening => _listening.Task;

    public string SocketPath { get; } = Path.GetFullPath(options.SocketPath);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        WebApplication app;
        SocketAccess access;
        try
        {
            access = SocketAccess.Prepare(options, _logger);
            app = Build(access, cancellationToken);
            await app.StartAsync(cancellationToken);
        }
        catch (Exception exception)
        {
            _listening.TrySetException(exception);
            throw;
        }
        try
        {
            access.SecureSocket();
            LocalApiLog.Listening(_logger, SocketPath, access.DescribeAllowed());
            _listening.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        finally
        {
            using (var timeout = new CancellationTokenSource(ShutdownTimeout))
            {
                await app.StopAsync(timeout.Token);
            }
            await app.DisposeAsync();
            _listening.TrySetCanceled(CancellationToken.None);
            // Kestrel leaves the socket file behind; a clean stop should not look like a crash.
            if (UnixAccessInterop.IsSocket(SocketPath))
            {
                File.Delete(SocketPath);
            }
            LocalApiLog.Stopped(_logger);
        }
    }

    private WebApplication Build(SocketAccess access, CancellationToken stopping)
    {
        // The empty builder reads no environment variables, appsettings or ASPNETCORE_URLS: the socket is the only way in.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = "au-agent" });
        builder.Services.AddSingleton(loggerFactory);
        builder.Services.AddRoutingCore();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = 1024 * 1024;
            kestrel.ListenUnixSocket(SocketPath);
        });
        var app = builder.Build();
        var endpoints = new LocalApiEndpoints(controller, access, loggerFactory.CreateLogger<LocalApiEndpoints>(), stopping);
        app.Use(endpoints.GuardAsync);
        app.UseRouting();
        app.MapGet("/v1/status", endpoints.GetStatusAsync);
        app.MapPost("/v1/check", endpoints.CheckAsync);
        app.MapPost("/v1/install", endpoints.InstallAsync);
        app.MapGet("/v1/history", endpoints.GetHistoryAsync);
        app.MapGet("/v1/releases", endpoints.GetReleasesAsync);
        app.MapGet("/v1/events", endpoints.GetEventsAsync);
        app.MapFallback(endpoints.NotFoundAsync);
        return app;
    }
}
