using System.Diagnostics;

namespace AtomicUpdate.Agent.Tests.Support;

/// <summary>
/// Runs the real <c>au-agent</c> (the au-agent.dll built beside the tests) as a child process,
/// optionally as another user through setpriv, and kills it by pid if it overstays.
/// </summary>
internal sealed class AgentCli : IAsyncDisposable
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly Task<string> _standardOutput;
    private readonly Task<string> _standardError;

    private AgentCli(Process process)
    {
        _process = process;
        _standardOutput = process.StandardOutput.ReadToEndAsync();
        _standardError = process.StandardError.ReadToEndAsync();
    }

    public int ProcessId => _process.Id;

    /// <summary>The user to run as: null for the test's own (root), else uid/gid and supplementary groups.</summary>
    public sealed record User(uint UserId, uint GroupId, IReadOnlyList<uint> Groups)
    {
        public static User Nobody(params uint[] groups) => new(65534, 65534, groups);
    }

    public static AgentCli Start(IEnumerable<string> arguments, User? user = null, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        var agent = Path.Combine(AppContext.BaseDirectory, "au-agent.dll");
        var info = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (user is not null)
        {
            info.FileName = "setpriv";
            info.ArgumentList.Add($"--reuid={user.UserId}");
            info.ArgumentList.Add($"--regid={user.GroupId}");
            if (user.Groups.Count == 0)
            {
                info.ArgumentList.Add("--clear-groups");
            }
            else
            {
                info.ArgumentList.Add($"--groups={string.Join(',', user.Groups)}");
            }
            info.ArgumentList.Add(dotnet);
            // The runtime wants a writable home for its caches; root's is not nobody's.
            info.Environment["HOME"] = Path.GetTempPath();
        }
        else
        {
            info.FileName = dotnet;
        }
        info.ArgumentList.Add(agent);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        // The child must not inherit the test host's systemd or socket settings.
        info.Environment.Remove("NOTIFY_SOCKET");
        info.Environment.Remove("WATCHDOG_USEC");
        info.Environment.Remove("AU_AGENT_SOCKET");
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            info.Environment[name] = value;
        }
        return new AgentCli(Process.Start(info) ?? throw new InvalidOperationException("au-agent did not start."));
    }

    public static async Task<CliResult> RunAsync(params string[] arguments) => await RunAsAsync(null, arguments);

    public static async Task<CliResult> RunAsAsync(User? user, params string[] arguments)
    {
        await using var cli = Start(arguments, user);
        return await cli.WaitAsync();
    }

    public async Task<CliResult> WaitAsync(TimeSpan? timeout = null)
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(timeout ?? DefaultTimeout);
        }
        catch (TimeoutException)
        {
            Kill();
            throw new TimeoutException($"au-agent (pid {_process.Id}) did not exit within {(timeout ?? DefaultTimeout).TotalSeconds} s; stderr so far is lost with the kill.");
        }
        return new CliResult(_process.ExitCode, await _standardOutput, await _standardError);
    }

    /// <summary>Sends SIGTERM, as systemd does to stop the daemon.</summary>
    public void Terminate()
    {
        if (!_process.HasExited)
        {
            Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])?.WaitForExit();
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        await _process.WaitForExitAsync();
        _process.Dispose();
    }

    /// <summary>Waits until a daemon's socket exists with its final mode (bind leaves it world-readable until the daemon secures it).</summary>
    public static async Task WaitForSocketAsync(string socketPath, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (!File.Exists(socketPath) || (File.GetUnixFileMode(socketPath) & UnixFileMode.OtherRead) != 0)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"No socket appeared at {socketPath}.");
            }
            await Task.Delay(50);
        }
    }

    /// <summary>SIGKILL, as a crash or the OOM killer would end it.</summary>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // It exited meanwhile.
        }
    }
}
