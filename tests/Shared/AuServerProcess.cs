using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace AtomicUpdate.Testing;

/// <summary>
/// The real au-server (built by the test project's reference to it) as its own process on a free
/// loopback port, with a private configuration file and optionally a data directory. It can be
/// stopped and started again on the same port and data, as a server that was down for a while.
/// Ended by pid; nothing from the developer's AU_SERVER_* or ASPNETCORE_* environment reaches it.
/// </summary>
internal sealed class AuServerProcess : IAsyncDisposable
{
    private readonly string _config;
    private readonly string? _data;
    private readonly TimeSpan _readyTimeout;
    private readonly StringBuilder _log = new();
    private Process? _process;

    private AuServerProcess(string config, string? data, TimeSpan readyTimeout)
    {
        _config = config;
        _data = data;
        _readyTimeout = readyTimeout;
        BaseAddress = new Uri($"http://127.0.0.1:{FreePort()}/");
    }

    public Uri BaseAddress { get; }

    /// <summary>What the server wrote so far, for failure messages.</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>Starts the server with <paramref name="config"/> and waits until /healthz answers.</summary>
    public static async Task<AuServerProcess> StartAsync(string config, string? dataDirectory, TimeSpan readyTimeout)
    {
        var server = new AuServerProcess(config, dataDirectory, readyTimeout);
        try
        {
            await server.StartAgainAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the process (again) on the same port and data directory.</summary>
    public async Task StartAgainAsync()
    {
        var dll = LocateServer();
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        string[] arguments = _data is null
            ? [dll, "--config", _config, "--urls", BaseAddress.ToString().TrimEnd('/')]
            : [dll, "--config", _config, "--urls", BaseAddress.ToString().TrimEnd('/'), "--data-dir", _data];
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("AU_SERVER_", StringComparison.Ordinal) || k.StartsWith("ASPNETCORE_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(name);
        }
        start.Environment["DOTNET_NOLOGO"] = "1";
        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        await WaitUntilHealthyAsync(process);
    }

    /// <summary>Kills the process by its pid and waits for it; the data directory stays.</summary>
    public async Task StopAsync()
    {
        if (_process is not { } process)
        {
            return;
        }
        _process = null;
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        catch (InvalidOperationException)
        {
            // It exited between the check and the kill.
        }
        finally
        {
            process.Dispose();
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    /// <summary>
    /// The server's build output. The test project's reference builds it first (without referencing
    /// its assembly); the configuration matches this test assembly's.
    /// </summary>
    public static string LocateServer()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "AtomicUpdate.sln")))
        {
            directory = directory.Parent;
        }
        if (directory is null)
        {
            throw new InvalidOperationException($"No AtomicUpdate.sln above {AppContext.BaseDirectory}.");
        }
#if DEBUG
        const string Configuration = "Debug";
#else
        const string Configuration = "Release";
#endif
        var path = Path.Combine(directory.FullName, "server", "AtomicUpdate.Server", "bin", Configuration, "net10.0", "au-server.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException($"au-server is not built: {path} is missing.", path);
    }

    /// <summary>A free loopback port; the tiny window before the server binds it is acceptable for tests.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private async Task WaitUntilHealthyAsync(Process process)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + _readyTimeout;
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"au-server exited with code {process.ExitCode} before it was ready:\n{Log}");
            }
            try
            {
                using var response = await http.GetAsync("healthz");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"au-server did not answer /healthz within {_readyTimeout.TotalSeconds} s:\n{Log}");
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_log)
            {
                _log.AppendLine(line);
            }
        }
    }
}
