using AtomicUpdate.Agent.Configuration;
using AtomicUpdate.Agent.LocalApi;

namespace AtomicUpdate.Agent.Tests.Systemd;

/// <summary>The files a device image ships stay in step with the code that reads them.</summary>
public sealed class ShippedFilesTests
{
    [Fact]
    public void The_sample_configuration_loads_and_names_the_default_socket()
    {
        var options = AgentOptionsLoader.Load(Path.Combine(RepositoryRoot(), "device", "config", "agent.json"), new Dictionary<string, string?>());

        Assert.Equal(LocalApiOptions.DefaultSocketPath, options.SocketPath);
        Assert.Equal(LocalApiOptions.DefaultAccessGroup, options.SocketGroup);
    }

    [Fact]
    public void The_unit_is_a_notify_service_with_a_watchdog_that_runs_the_daemon()
    {
        var unit = File.ReadAllLines(Path.Combine(RepositoryRoot(), "device", "systemd", "atomicupdate-agent.service"));

        Assert.Contains("Type=notify", unit);
        Assert.Contains("Restart=on-failure", unit);
        Assert.Contains(unit, line => line.StartsWith("WatchdogSec=", StringComparison.Ordinal));
        Assert.Contains(unit, line => line.StartsWith("ExecStart=", StringComparison.Ordinal) && line.Contains(" run ", StringComparison.Ordinal));
        Assert.Contains("RuntimeDirectory=atomicupdate", unit);
        // Each of these would break btrfs receive or the bootloader environment; the unit names them only in comments.
        Assert.DoesNotContain(unit, line => line.StartsWith("PrivateDevices=", StringComparison.Ordinal) || line.StartsWith("RestrictSUIDSGID=", StringComparison.Ordinal) || line.StartsWith("ProtectKernelTunables=", StringComparison.Ordinal));
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "AtomicUpdate.sln")))
            {
                return directory.FullName;
            }
        }
        throw new DirectoryNotFoundException("The tests run outside the repository: no AtomicUpdate.sln above them.");
    }
}
