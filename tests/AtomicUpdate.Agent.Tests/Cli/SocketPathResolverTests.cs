using AtomicUpdate.Agent.Cli;
using AtomicUpdate.Agent.Tests.Support;

namespace AtomicUpdate.Agent.Tests.Cli;

public sealed class SocketPathResolverTests
{
    private static readonly Func<string, string?> NoEnvironment = _ => null;

    [Fact]
    public void The_option_wins_then_the_environment_then_the_configuration_then_the_default()
    {
        using var directory = new TempDirectory();
        var config = directory.Combine("agent.json");
        File.WriteAllText(config, """{ "hardwareId": "board-a", "SocketPath": "/run/custom/agent.sock" }""");
        Func<string, string?> environment = name => name == "AU_AGENT_SOCKET_PATH" ? "/run/env/agent.sock" : null;

        Assert.Equal("/tmp/option.sock", SocketPathResolver.Resolve("/tmp/option.sock", config, environment));
        Assert.Equal("/run/env/agent.sock", SocketPathResolver.Resolve(null, config, environment));
        Assert.Equal("/run/custom/agent.sock", SocketPathResolver.Resolve(null, config, NoEnvironment));
        Assert.Equal("/run/atomicupdate/agent.sock", SocketPathResolver.Resolve(null, directory.Combine("missing.json"), NoEnvironment));
    }

    [Fact]
    public void A_malformed_configuration_falls_back_to_the_default()
    {
        using var directory = new TempDirectory();
        var config = directory.Combine("agent.json");
        File.WriteAllText(config, "{ not json");

        Assert.Equal("/run/atomicupdate/agent.sock", SocketPathResolver.Resolve(null, config, NoEnvironment));
    }
}
