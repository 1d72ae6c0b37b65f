using AtomicUpdate.Agent.Configuration;
using AtomicUpdate.Agent.Deployment;

namespace AtomicUpdate.Agent.Tests.Deployment;

public sealed class RebooterTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("au-rebooter-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Theory]
    [InlineData("grub", true)]
    [InlineData("u-boot", true)]
    [InlineData("file", false)]
    [InlineData("none", false)]
    public void Only_a_bootloader_that_falls_back_is_rebooted(string backend, bool reboots) =>
        Assert.Equal(reboots, new Rebooter(new AgentOptions { BootBackend = backend }).Reboots);

    [Fact]
    public async Task The_configured_command_runs_and_its_failure_is_reported()
    {
        var marker = Path.Combine(_work, "rebooted");
        await new Rebooter(new AgentOptions { BootBackend = "grub", RebootCommand = $"touch '{marker}'" }).RebootAsync();
        Assert.True(File.Exists(marker));

        var failed = await Assert.ThrowsAsync<InvalidOperationException>(() => new Rebooter(new AgentOptions { BootBackend = "grub", RebootCommand = "echo 'no logind' >&2; exit 5" }).RebootAsync());
        Assert.Contains("exited with 5: no logind", failed.Message, StringComparison.Ordinal);
    }
}
