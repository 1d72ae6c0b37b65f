using System.Diagnostics;

namespace AtomicUpdate.Publisher.Tests;

/// <summary>Runs the real au-publish program, as scripts and CI pipelines do.</summary>
internal static class PublisherCli
{
    public sealed record Result(int ExitCode, byte[] Output, string Error)
    {
        public string Text => System.Text.Encoding.UTF8.GetString(Output);
    }

    public static async Task<Result> RunAsync(byte[]? input, params string[] arguments)
    {
        var program = Path.Combine(AppContext.BaseDirectory, "au-publish.dll");
        var start = new ProcessStartInfo("dotnet", [program, .. arguments])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("au-publish did not start.");
        var error = process.StandardError.ReadToEndAsync();
        using var output = new MemoryStream();
        var copy = process.StandardOutput.BaseStream.CopyToAsync(output);
        if (input is not null)
        {
            await process.StandardInput.BaseStream.WriteAsync(input);
        }
        process.StandardInput.Close();
        await copy;
        await process.WaitForExitAsync();
        return new Result(process.ExitCode, output.ToArray(), await error);
    }
}
