namespace AtomicUpdate.SendStream;

/// <summary>
/// Copies a send stream command by command, passing each on only after the validator accepted it,
/// so nothing it refuses ever reaches <c>btrfs receive</c>.
/// </summary>
public static class SendStreamFirewall
{
    /// <param name="source">The stream to check.</param>
    /// <param name="destination">Where accepted commands go, typically <c>btrfs receive</c>'s standard input.</param>
    /// <param name="options">What the validator enforces.</param>
    /// <param name="subvolumeName">
    /// When set, the subvolume is received under this name instead of the sender's: the receiver can
    /// stage it beside its final place and rename it there, which btrfs allows for a read-only
    /// subvolume only within one directory. The received UUID is unaffected.
    /// </param>
    /// <param name="cancellationToken">Stops the copy.</param>
    public static async Task<SendStreamSummary> CopyAsync(
        Stream source,
        Stream destination,
        SendStreamValidatorOptions? options = null,
        CancellationToken cancellationToken = default,
        string? subvolumeName = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        options ??= new SendStreamValidatorOptions();
        await using var reader = new SendStreamReader(source, options.Reader, leaveOpen: true);
        var version = await reader.ReadHeaderAsync(cancellationToken).ConfigureAwait(false);
        var validator = new SendStreamValidator(version, options);
        if (subvolumeName is null)
        {
            await destination.WriteAsync(reader.RawHeader, cancellationToken).ConfigureAwait(false);
        }
        while (await reader.ReadCommandAsync(cancellationToken).ConfigureAwait(false) is { } command)
        {
            validator.Validate(command);
            if (subvolumeName is not null && command.Index == 0)
            {
                // The writer emits the stream header before this first command, with a fresh CRC.
                var renamed = new SendCommand(command.Type, command.Attributes.Select(attribute => attribute.Type == SendAttributeType.Path
                    ? attribute with { Value = System.Text.Encoding.UTF8.GetBytes(subvolumeName) }
                    : attribute));
                await using var writer = new SendStreamWriter(destination, version, leaveOpen: true);
                await writer.WriteCommandAsync(renamed, cancellationToken).ConfigureAwait(false);
                continue;
            }
            await destination.WriteAsync(command.RawBytes, cancellationToken).ConfigureAwait(false);
        }
        await destination.FlushAsync(cancellationToken).ConfigureAwait(false);
        return validator.Complete(reader.BytesRead);
    }
}
