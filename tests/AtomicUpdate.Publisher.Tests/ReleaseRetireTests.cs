using System.Text.Json.Nodes;
using AtomicUpdate.Payload;
using AtomicUpdate.Trust;

namespace AtomicUpdate.Publisher.Tests;

/// <summary><c>release retire</c> on a repository holding 1.0, 1.1 and 1.2 of channel stable, with deltas and patched deltas.</summary>
public sealed class ReleaseRetireTests(PublishFixture fixture) : IClassFixture<PublishFixture>
{
    [Fact]
    public async Task Retiring_a_release_removes_its_payloads_and_the_deltas_from_it_and_keeps_the_repository_valid()
    {
        await fixture.PublishAllAsync();
        var before = Trust.Repository.Open(fixture.Repository);
        var expected = new[]
        {
            UpdateTargetNames.Full("1.1"), UpdateTargetNames.Delta("1.0", "1.1"), UpdateTargetNames.PatchedDelta("1.0", "1.1"),
            UpdateTargetNames.Delta("1.1", "1.2"), UpdateTargetNames.PatchedDelta("1.1", "1.2"),
        }.Where(before.Targets.Signed.Targets.ContainsKey).Order(StringComparer.Ordinal).ToList();
        Assert.Contains(UpdateTargetNames.Delta("1.1", "1.2"), expected);
        var files = expected.Select(name => Path.Combine(fixture.Repository, RepositoryLayout.TargetPath(before.Targets.Signed.Targets[name], before.Root.Signed.ConsistentSnapshot))).ToList();
        Assert.All(files, file => Assert.True(File.Exists(file), file));

        var result = await RetireAsync("1.1", "--json");

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Equal(expected, JsonNode.Parse(result.Text)!["removed"]!.AsArray().Select(node => node!.GetValue<string>()));
        Assert.All(files, file => Assert.False(File.Exists(file), file));
        var after = Trust.Repository.Open(fixture.Repository);
        Assert.DoesNotContain(after.Targets.Signed.Targets.Keys, name => expected.Contains(name));
        Assert.Contains(UpdateTargetNames.Delta("1.0", "1.2"), after.Targets.Signed.Targets.Keys);
        Assert.Contains(UpdateTargetNames.Full("1.0"), after.Targets.Signed.Targets.Keys);
        Assert.Equal(before.Targets.Signed.Version + 1, after.Targets.Signed.Version);
        var verify = await PublisherCli.RunAsync(null, "verify", "--repo", fixture.Repository, "--trusted-root", fixture.TrustedRoot);
        Assert.True(verify.ExitCode == 0, verify.Error);

        var current = await RetireAsync("1.2");
        Assert.Equal(1, current.ExitCode);
        Assert.Contains("current release of channel stable", current.Error, StringComparison.Ordinal);
        var again = await RetireAsync("1.1");
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("no payload of release 1.1", again.Error, StringComparison.Ordinal);
        Assert.Equal(after.Targets.Signed.Version, Trust.Repository.Open(fixture.Repository).Targets.Signed.Version);
    }

    private Task<PublisherCli.Result> RetireAsync(string version, params string[] more) =>
        PublisherCli.RunAsync(null, ["release", "retire", "--repo", fixture.Repository, "--version", version, .. more, .. fixture.KeyArguments()]);
}
