using System.Diagnostics;
using System.Threading.RateLimiting;
using AtomicUpdate.Server.Configuration;
using AtomicUpdate.Server.Data;
using AtomicUpdate.Server.Endpoints;
using AtomicUpdate.Server.Http;
using AtomicUpdate.Server.Logging;
using AtomicUpdate.Server.Metrics;
using AtomicUpdate.Server.Releases;
using AtomicUpdate.Server.Security;
using Dapper;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.FileProviders;

namespace AtomicUpdate.Server;

/// <summary>Builds the fleet server: configuration, services, middleware and endpoints, for the executable and for tests.</summary>
internal sealed class ServerApp
{
    public const string EnrollmentLimiter = "enrollment";

    private ServerApp()
    {
    }

    /// <summary>A configured builder; <paramref name="configure"/> lets tests swap the server (e.g. a test host).</summary>
    public static WebApplicationBuilder CreateBuilder(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory,
        });
        ServerConfiguration.AddSources(builder.Configuration, args);
        // Request-by-request framework logs drown the server's own; configuration (Logging:LogLevel) can bring them back.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        configure?.Invoke(builder);
        var options = ServerConfiguration.Bind(builder.Configuration);
        if (options.WebRoot is not null)
        {
            builder.Environment.WebRootPath = Path.GetFullPath(options.WebRoot);
            builder.Environment.WebRootFileProvider = new PhysicalFileProvider(builder.Environment.WebRootPath);
        }
        DefaultTypeMap.MatchNamesWithUnderscores = true;
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(_ => Database.Create(options));
        builder.Services.AddSingleton<ServerMetrics>();
        builder.Services.AddSingleton<DeviceRateLimiter>();
        builder.Services.AddSingleton<LastSeenWriter>();
        builder.Services.AddHostedService(services => services.GetRequiredService<LastSeenWriter>());
        builder.Services.AddSingleton<GroupCommit>();
        builder.Services.AddHostedService(services => services.GetRequiredService<GroupCommit>());
        builder.Services.AddSingleton<ReleaseVerifier>();
        builder.Services.AddHttpClient("repository", client => client.Timeout = TimeSpan.FromMinutes(5));
        builder.Services.Configure<KestrelServerOptions>(kestrel => kestrel.Limits.MaxRequestBodySize = options.MaxRequestBodyBytes);
        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            // Per replica: enrollment is rare, and this only slows down guessing the enrollment secret.
            limiter.AddPolicy(EnrollmentLimiter, context => RateLimitPartition.GetFixedWindowLimiter(
                context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = options.RateLimit.EnrollmentsPerMinute, Window = TimeSpan.FromMinutes(1) }));
        });
        return builder;
    }

    /// <summary>Migrates the database and maps every endpoint.</summary>
    public static async Task<WebApplication> BuildAsync(WebApplicationBuilder builder)
    {
        var app = builder.Build();
        var options = app.Services.GetRequiredService<ServerOptions>();
        var database = app.Services.GetRequiredService<Database>();
        var logger = app.Services.GetRequiredService<ILogger<ServerApp>>();
        var applied = await Migrator.MigrateAsync(database).ConfigureAwait(false);
        Log.DatabaseReady(logger, database.Description, applied.Count);
        if (string.IsNullOrEmpty(options.EnrollmentSecret))
        {
            Log.EnrollmentClosed(logger);
        }

        var metrics = app.Services.GetRequiredService<ServerMetrics>();
        app.Use(async (context, next) =>
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                await next(context).ConfigureAwait(false);
            }
            finally
            {
                // The route pattern, not the path, keeps the label set small.
                var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "other";
                metrics.ObserveRequest(context.Request.Method, route, context.Response.StatusCode, Stopwatch.GetElapsedTime(started).TotalSeconds);
            }
        });
        app.UseMiddleware<ErrorMiddleware>();
        // Routing first: the static file middlewares then pass API requests on at once instead
        // of looking each path up on disk.
        app.UseRouting();
        app.UseDefaultFiles();
        app.UseStaticFiles();
        if (options.Repository.Serve && options.Repository.Path is not null)
        {
            app.UseStaticFiles(new StaticFileOptions
            {
                FileProvider = new PhysicalFileProvider(Path.GetFullPath(options.Repository.Path)),
                RequestPath = "/repo",
                ServeUnknownFileTypes = true,
                DefaultContentType = "application/octet-stream",
            });
        }
        app.UseRateLimiter();

        app.MapGet("/healthz", () => Results.Text("ok\n"));
        app.MapGet("/readyz", ReadyAsync);
        app.MapGet("/openapi.json", () => Results.Stream(typeof(ServerApp).Assembly.GetManifestResourceStream("openapi.json")!, "application/json"));
        DeviceEndpoints.Map(app);
        ReleaseEndpoints.Map(app);
        RolloutEndpoints.Map(app);
        FleetEndpoints.Map(app);
        ApiKeyEndpoints.Map(app);
        MetricsEndpoint.Map(app);
        return app;
    }

    private static async Task<IResult> ReadyAsync(Database database, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM schema_migrations").ConfigureAwait(false);
            return Results.Text("ready\n");
        }
        catch (Exception error) when (error is System.Data.Common.DbException or InvalidOperationException or TimeoutException)
        {
            return Results.Problem(statusCode: 503, title: "Not ready", detail: $"The database is not reachable: {error.Message}");
        }
    }
}
