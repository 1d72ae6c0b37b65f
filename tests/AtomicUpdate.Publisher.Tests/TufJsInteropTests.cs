using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace AtomicUpdate.Publisher.Tests;

/// <summary>
/// Interoperability with tuf-js, a TUF client that is not ours: it refreshes a repository au-publish
/// built (served over HTTP on 127.0.0.1), downloads every target with its length and hash checks,
/// and refuses a tampered repository. Needs node and npm; `npm ci` runs when node_modules is missing.
/// </summary>
public sealed class TufJsInteropTests : IAsyncLifetime
{
    private static readonly SemaphoreSlim InstallLock = new(1, 1);

    private RepoTestRepository _repository = null!;

    public async Task InitializeAsync()
    {
        _repository = await RepoTestRepository.CreateAsync();
        await _repository.AddSampleTargetsAsync();
        await _repository.AddTargetsAsync(("deltas/1.0-1.1.aupayload", RandomNumberGenerator.GetBytes(70_000)));
        await RepoCli.SucceedAsync("timestamp", "refresh", "--repo", _repository.Repo, "--key", _repository.Key("timestamp"));

        // A root rotation too, so tuf-js walks the chain from 1.root.json.
        var draft = Path.Combine(_repository.Directory, "2.root.json");
        await RepoCli.SucceedAsync(
            "root", "rotate", "--repo", _repository.Repo, "--out", draft,
            "--revoke-key", "snapshot=" + _repository.PublicKey("snapshot"), "--add-key", "snapshot=" + _repository.PublicKey("snapshot2"),
            "--key", _repository.Key("root1"), "--key", _repository.Key("root2"));
        await RepoCli.SucceedAsync("root", "publish", "--repo", _repository.Repo, "--in", draft, "--key", _repository.Key("snapshot2"), "--key", _repository.Key("timestamp"));
        Assert.Equal(0, (await _repository.VerifyAsync()).ExitCode);
    }

    public Task DisposeAsync()
    {
        _repository.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Tuf_js_refreshes_a_repository_built_by_au_publish_and_downloads_every_target()
    {
        var result = await RunTufJsAsync();
        Assert.True(result["ok"]!.GetValue<bool>(), result.ToJsonString());
        Assert.Equal(2, result["root"]!.GetValue<int>());

        var repository = Trust.Repository.Open(_repository.Repo);
        var downloaded = result["targets"]!.AsArray().ToDictionary(t => t!["name"]!.GetValue<string>(), t => t!);
        Assert.Equal(repository.Targets.Signed.Targets.Keys.Order(StringComparer.Ordinal), downloaded.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, target) in repository.Targets.Signed.Targets)
        {
            Assert.Equal(target.Length, downloaded[name]["length"]!.GetValue<long>());
            Assert.Equal(target.Sha256, downloaded[name]["sha256"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task Tuf_js_refuses_a_target_whose_content_was_replaced()
    {
        var path = _repository.TargetFilePath("deltas/1.0-1.1.aupayload");
        var bytes = await File.ReadAllBytesAsync(path);
        bytes[^1] ^= 0xff;
        await File.WriteAllBytesAsync(path, bytes);

        var result = await RunTufJsAsync();
        Assert.False(result["ok"]!.GetValue<bool>());
        Assert.Contains("hash", result["error"]!.GetValue<string>(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Tuf_js_refuses_metadata_whose_signature_does_not_match()
    {
        // A targets entry edited after signing: the length of a payload changed by one byte.
        var version = Trust.Repository.Open(_repository.Repo).Targets.Signed.Version;
        var path = Path.Combine(_repository.Repo, $"{version}.targets.json");
        var json = JsonNode.Parse(await File.ReadAllBytesAsync(path))!;
        var target = json["signed"]!["targets"]!["payloads/1.0-full.aupayload"]!;
        target["length"] = target["length"]!.GetValue<long>() + 1;
        await File.WriteAllTextAsync(path, json.ToJsonString());

        var result = await RunTufJsAsync();
        Assert.False(result["ok"]!.GetValue<bool>());
        Assert.Contains("targets", result["error"]!.GetValue<string>(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(1, (await _repository.VerifyAsync()).ExitCode);
    }

    private async Task<JsonObject> RunTufJsAsync()
    {
        var folder = await EnsureInstalledAsync();
        using var server = new RepoHttpServer(_repository.Repo);
        var work = Path.Combine(_repository.Directory, "tufjs-" + Guid.NewGuid().ToString("N"));
        var (exitCode, output, error) = await RunAsync(
            "node", folder, Path.Combine(folder, "script.mjs"), server.BaseUrl, server.BaseUrl + "targets/", _repository.TrustedRoot, work);
        var line = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? string.Empty;
        Assert.True(line.StartsWith('{'), $"node exited {exitCode} without a result; stdout: {output}\nstderr: {error}");
        var result = JsonNode.Parse(line)!.AsObject();
        Assert.Equal(result["ok"]!.GetValue<bool>() ? 0 : 1, exitCode);
        return result;
    }

    /// <summary>The TufJs folder beside the test assembly's sources, with node_modules installed from the lock file.</summary>
    private static async Task<string> EnsureInstalledAsync()
    {
        var folder = FindFolder();
        await InstallLock.WaitAsync();
        try
        {
            if (!Directory.Exists(Path.Combine(folder, "node_modules", "tuf-js")))
            {
                var (exitCode, output, error) = await RunAsync("npm", folder, "ci", "--no-audit", "--no-fund");
                Assert.True(exitCode == 0, $"npm ci failed in {folder}: {output}\n{error}");
            }
        }
        finally
        {
            InstallLock.Release();
        }

        return folder;
    }

    private static string FindFolder()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "TufJs");
            if (File.Exists(Path.Combine(candidate, "package-lock.json")))
            {
                return candidate;
            }

            candidate = Path.Combine(directory.FullName, "tests", "AtomicUpdate.Publisher.Tests", "TufJs");
            if (File.Exists(Path.Combine(candidate, "package-lock.json")))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("The TufJs folder with package-lock.json was not found above the test assembly.");
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(string program, string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo(program, arguments)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            StandardOutputEncoding = Encoding.UTF8,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start.");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }
}
