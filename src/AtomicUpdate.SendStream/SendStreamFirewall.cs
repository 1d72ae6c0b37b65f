namespace AtomicUpdate.SendStream;

/// <summary>
/// Copies a send stream command by command, passing each on only after the validator accepted it,
/// so nothing it refuses ever reaches <c>btrfs receive</c>.
/// </summary>
public static class SendStreamFirewall
{
    public static async Task<SendStreamSummary> CopyAsync(
        Stream source,
        Stream destination,
        SendStreamValidatorOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        options ??= new SendStreamValidatorOptions();
        await using var reader = new SendStreamReader(source, options.Reader, leaveOpen: true);
        var version = await reader.ReadHeaderAsync(cancellationToken).ConfigureAwait(false);
        var validator = new SendStreamValidator(version, options);
        await destination.WriteAsync(reader.RawHeader, cancellationToken).ConfigureAwait(false);
        while (await reader.ReadCommandAsync(cancellationToken).ConfigureAwait(false) is { } command)
        {
            validator.Validate(command);
            await destination.WriteAsync(command.RawBytes, cancellationToken).ConfigureAwait(false);
        }
        await destination.FlushAsync(cancellationToken).ConfigureAwait(false);
        return validator.Complete(reader.BytesRead);
    }
}
