using System.Diagnostics;
using System.Text;

namespace AtomicUpdate.Publisher.Tests;

/// <summary>
/// Runs the real au-publish program like <see cref="PublisherCli"/>, with extra environment
/// variables (key passphrases) and the failure output in assertion messages.
/// </summary>
internal static class RepoCli
{
    public sealed record Result(int ExitCode, string Output, string Error)
    {
        public override string ToString() => $"exit {ExitCode}\nstdout: {Output}\nstderr: {Error}";
    }

    public static Task<Result> RunAsync(params string[] arguments) => RunAsync(null, arguments);

    public static async Task<Result> RunAsync(IReadOnlyDictionary<string, string>? environment, params string[] arguments)
    {
        var program = Path.Combine(AppContext.BaseDirectory, "au-publish.dll");
        var start = new ProcessStartInfo("dotnet", [program, .. arguments])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("au-publish did not start.");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return new Result(process.ExitCode, await output, await error);
    }

    /// <summary>Runs au-publish and fails the test, showing its output, unless it exits 0.</summary>
    public static async Task<Result> SucceedAsync(params string[] arguments)
    {
        var result = await RunAsync(arguments);
        Assert.True(result.ExitCode == 0, $"au-publish {string.Join(' ', arguments)} failed: {result}");
        return result;
    }

    /// <summary>Runs au-publish and fails the test unless it exits with <paramref name="exitCode"/>.</summary>
    public static async Task<Result> FailAsync(int exitCode, params string[] arguments)
    {
        var result = await RunAsync(arguments);
        Assert.True(result.ExitCode == exitCode, $"au-publish {string.Join(' ', arguments)} should exit {exitCode}: {result}");
        Assert.StartsWith("error: ", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
        return result;
    }
}
