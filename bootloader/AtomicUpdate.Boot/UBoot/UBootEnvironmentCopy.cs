namespace AtomicUpdate.Boot.UBoot;

/// <summary>One environment copy as read: its strings and flag when its CRC and layout check out, otherwise why not.</summary>
internal sealed record UBootEnvironmentCopy(UBootEnvironmentLocation Location, IReadOnlyList<string>? Entries, byte Flag, string? Problem)
{
    public bool IsValid => Entries is not null;

    /// <exception cref="BootControlException">The device or file cannot be opened or read.</exception>
    public static UBootEnvironmentCopy Read(string backend, UBootEnvironmentLocation location, bool redundant)
    {
        var image = new byte[location.Size];
        int length;
        try
        {
            using var stream = new FileStream(location.Device, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            stream.Seek(location.Offset, SeekOrigin.Begin);
            length = stream.ReadAtLeast(image, image.Length, throwOnEndOfStream: false);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new BootControlException(backend, $"cannot read the environment at offset 0x{location.Offset:x} of {location.Device}: {exception.Message}", exception);
        }
        if (length < image.Length)
        {
            return new(location, null, 0, $"{location.Device} ends {length} bytes into the 0x{location.Size:x}-byte environment at 0x{location.Offset:x}");
        }
        try
        {
            var (entries, flag) = UBootEnvironmentImage.Parse(image, redundant);
            return new(location, entries, flag, null);
        }
        catch (InvalidDataException exception)
        {
            return new(location, null, 0, $"{location.Device} at 0x{location.Offset:x}: {exception.Message}");
        }
    }

    /// <summary>
    /// The whitelisted values when the copy is usable as the boot script sees it: a valid CRC,
    /// <c>au_good</c> valid, and <c>au_trial</c> absent or empty, or valid with valid <c>au_tries</c>.
    /// </summary>
    public BootEnvironment? Environment
    {
        get
        {
            if (!IsValid || Get(BootVariables.Good) is not { } good || !BootEntries.IsValid(good))
            {
                return null;
            }
            var trial = Get(BootVariables.Trial) ?? string.Empty;
            if (trial.Length == 0)
            {
                return new BootEnvironment(good, null, 0);
            }
            return BootEntries.IsValid(trial) && BootVariables.ParseTries(Get(BootVariables.Tries)) is { } tries
                ? new BootEnvironment(good, trial, tries)
                : null;
        }
    }

    /// <summary>The value of <paramref name="name"/>; U-Boot lets the last of a repeated name win.</summary>
    public string? Get(string name)
    {
        string? value = null;
        foreach (var entry in Entries ?? [])
        {
            if (entry.Length > name.Length && entry[name.Length] == '=' && entry.StartsWith(name, StringComparison.Ordinal))
            {
                value = entry[(name.Length + 1)..];
            }
        }
        return value;
    }
}
