using System.Diagnostics;
using System.Text;

namespace AtomicUpdate.Trust;

/// <summary>
/// Signs by running an external command (an HSM or KMS client): the canonical bytes go to its
/// standard input, the signature comes back on standard output. The signature is verified against
/// <see cref="PublicKey"/> before it is used, so a misconfigured command cannot publish bad metadata.
/// </summary>
public sealed class CommandSigner : Signer
{
    private const int MaxOutputBytes = 64 * 1024;

    private readonly string _fileName;
    private readonly string[] _arguments;
    private readonly CommandSignatureEncoding _encoding;

    public CommandSigner(Key publicKey, string fileName, IEnumerable<string> arguments, CommandSignatureEncoding encoding = CommandSignatureEncoding.Hex)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        ArgumentException.ThrowIfNullOrEmpty(fileName);
        ArgumentNullException.ThrowIfNull(arguments);
        PublicKey = publicKey;
        _fileName = fileName;
        _arguments = [.. arguments];
        _encoding = encoding;
    }

    public override Key PublicKey { get; }

    /// <summary>How long the command may run before it is killed.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(2);

    public override async Task<byte[]> SignAsync(byte[] data, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        var startInfo = new ProcessStartInfo(_fileName, _arguments)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            throw new SignerException($"The signing command {_fileName} could not be started: {ex.Message}", ex);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        byte[] output;
        string errors;
        try
        {
            var outputTask = ReadCappedAsync(process.StandardOutput.BaseStream, timeout.Token);
            var errorTask = ReadCappedAsync(process.StandardError.BaseStream, timeout.Token);
            try
            {
                await process.StandardInput.BaseStream.WriteAsync(data, timeout.Token).ConfigureAwait(false);
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // The command quit without reading everything; its exit code and messages say why.
            }

            output = await outputTask.ConfigureAwait(false);
            errors = Encoding.UTF8.GetString(await errorTask.ConfigureAwait(false)).Trim();
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
            throw new SignerException($"The signing command {_fileName} did not finish within {Timeout.TotalSeconds} seconds.", ex);
        }

        if (process.ExitCode != 0)
        {
            throw new SignerException($"The signing command {_fileName} exited with code {process.ExitCode}: {errors}");
        }

        var signature = Decode(output);
        if (!PublicKey.Verify(data, signature))
        {
            throw new SignerException($"The signing command {_fileName} returned a signature that key {PublicKey.KeyId} does not verify.");
        }

        return signature;
    }

    private byte[] Decode(byte[] output)
    {
        try
        {
            return _encoding switch
            {
                CommandSignatureEncoding.Hex => Convert.FromHexString(Encoding.ASCII.GetString(output).Trim()),
                CommandSignatureEncoding.Base64 => Convert.FromBase64String(Encoding.ASCII.GetString(output).Trim()),
                _ => output,
            };
        }
        catch (FormatException ex)
        {
            throw new SignerException($"The signing command {_fileName} wrote output that is not {_encoding} text.", ex);
        }
    }

    private static async Task<byte[]> ReadCappedAsync(Stream stream, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[4096];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            // Keep draining past the cap so the child never blocks on a full pipe.
            if (buffer.Length < MaxOutputBytes)
            {
                buffer.Write(chunk, 0, read);
            }
        }

        return buffer.ToArray();
    }
}
