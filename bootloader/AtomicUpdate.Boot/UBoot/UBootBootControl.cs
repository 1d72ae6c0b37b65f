namespace AtomicUpdate.Boot.UBoot;

/// <summary>
/// Boot control through U-Boot's own environment, located by fw_env.config and kept in the format
/// fw_printenv/fw_setenv (libubootenv) and U-Boot use. Only <c>au_good</c>, <c>au_trial</c> and
/// <c>au_tries</c> are changed; every other variable is written back as it was. With a redundant
/// environment the new image goes to the copy the boot script did not use, with the next flag, so
/// until it is complete (valid CRC) the old one stays in use: a power cut loses nothing. A single
/// copy is rewritten in place and is not power-cut safe. The known-good entry is also recorded in
/// <c>/.atomicupdate/good.env</c> on the pool, and, for a U-Boot that cannot read btrfs, on the boot
/// partition together with the kernel and initrd of every entry the environment names.
/// </summary>
public sealed class UBootBootControl : IBootControl
{
    public const string DefaultConfigPath = "/etc/fw_env.config";

    private readonly BootPartitionMirror? _bootPartition;

    /// <param name="configPath">fw_env.config naming the environment copies.</param>
    /// <param name="poolMountPoint">Where the top level of the btrfs pool (subvolid 5) is mounted.</param>
    /// <param name="bootPartition">
    /// The mounted boot partition U-Boot loads kernels from when it cannot read btrfs; null when
    /// it reads the pool itself.
    /// </param>
    public UBootBootControl(string configPath, string poolMountPoint, string? bootPartition = null)
    {
        ConfigPath = configPath;
        PoolMountPoint = Path.GetFullPath(poolMountPoint);
        _bootPartition = bootPartition is null ? null : new BootPartitionMirror(Name, Path.GetFullPath(bootPartition), PoolMountPoint);
    }

    public string Name => "u-boot";

    public string ConfigPath { get; }

    public string PoolMountPoint { get; }

    public string? BootPartition => _bootPartition?.Root;

    public Task<BootEnvironment> ReadAsync(CancellationToken cancellationToken = default) => Task.FromResult(Read().Environment);

    public Task ArmTrialAsync(string entry, int tries, CancellationToken cancellationToken = default)
    {
        BootVariables.CheckEntry(Name, entry);
        BootVariables.CheckTries(tries);
        using var locked = UBootEnvironmentLock.Acquire(Name);
        var current = Read();
        if (current.Environment.GoodEntry is not { } good)
        {
            throw new BootControlException(Name, $"cannot arm {entry}: neither the environment ({ConfigPath}) nor the known-good record has a valid {BootVariables.Good} to fall back to; commit one first.");
        }
        if (_bootPartition is { } files)
        {
            files.Prune([good, current.Environment.TrialEntry, entry]);
            files.AddEntry(good);
            files.AddEntry(entry);
        }
        Write(current, (BootVariables.Good, good), (BootVariables.Trial, entry), (BootVariables.Tries, BootVariables.FormatTries(tries)));
        _bootPartition?.Prune([good, entry]);
        return Task.CompletedTask;
    }

    public Task CommitAsync(string entry, CancellationToken cancellationToken = default)
    {
        BootVariables.CheckEntry(Name, entry);
        using var locked = UBootEnvironmentLock.Acquire(Name);
        var current = Read();
        if (_bootPartition is { } files)
        {
            files.AddEntry(entry);
            files.WriteGood(entry);
        }
        KnownGoodFile.Write(Name, PoolMountPoint, entry);
        Write(current, (BootVariables.Good, entry), (BootVariables.Trial, null), (BootVariables.Tries, "0"));
        _bootPartition?.Prune([entry]);
        return Task.CompletedTask;
    }

    public Task MarkBadAsync(string entry, CancellationToken cancellationToken = default)
    {
        using var locked = UBootEnvironmentLock.Acquire(Name);
        var current = Read();
        if (current.Environment.TrialEntry == entry)
        {
            Write(current, (BootVariables.Good, current.Environment.GoodEntry), (BootVariables.Trial, null), (BootVariables.Tries, "0"));
            _bootPartition?.Prune([current.Environment.GoodEntry]);
        }
        return Task.CompletedTask;
    }

    /// <summary>The configured copies and the known-good record the script would read, as they are now; for diagnostics and tests.</summary>
    internal UBootEnvironmentState Read()
    {
        var locations = ReadConfig();
        var redundant = locations.Count == 2;
        var knownGood = _bootPartition is { } files ? files.ReadGood() : KnownGoodFile.Read(Name, PoolMountPoint);
        return new UBootEnvironmentState([.. locations.Select(location => UBootEnvironmentCopy.Read(Name, location, redundant))], knownGood);
    }

    private IReadOnlyList<UBootEnvironmentLocation> ReadConfig()
    {
        string text;
        try
        {
            text = File.ReadAllText(ConfigPath);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new BootControlException(Name, $"cannot read the environment configuration {ConfigPath}: {exception.Message}", exception);
        }
        try
        {
            return UBootEnvironmentConfig.Parse(text);
        }
        catch (InvalidDataException exception)
        {
            throw new BootControlException(Name, $"the environment configuration {ConfigPath} is not valid: {exception.Message}", exception);
        }
    }

    /// <summary>
    /// Sets (or, for null, removes) the given variables in the strings of the copy in use and writes
    /// the result to the other copy with the next flag.
    /// </summary>
    private void Write(UBootEnvironmentState current, params (string Name, string? Value)[] changes)
    {
        // The copy the script uses; failing that (first provisioning) the one U-Boot loads, whose other variables are kept.
        if ((current.Chosen ?? current.Active) is not { } active)
        {
            // Writing a fresh environment would drop U-Boot's built-in defaults (bootcmd and the rest).
            var problems = string.Join("; ", current.Copies.Select(copy => copy.Problem));
            throw new BootControlException(Name, $"there is no valid U-Boot environment to update ({problems}); save one first, for example with U-Boot's saveenv or fw_setenv -c {ConfigPath} -f <default environment>.");
        }
        var entries = active.Entries!.ToList();
        foreach (var (name, value) in changes)
        {
            Set(entries, name, value);
        }
        var target = current.Redundant ? current.Copies.First(copy => !ReferenceEquals(copy, active)) : active;
        byte[] image;
        try
        {
            image = UBootEnvironmentImage.Format(entries, target.Location.Size, current.Redundant, unchecked((byte)(active.Flag + 1)));
        }
        catch (ArgumentException exception)
        {
            throw new BootControlException(Name, $"cannot write {target.Location.Device}: {exception.Message}", exception);
        }
        WriteInPlace(target.Location, image);
        if (UBootEnvironmentCopy.Read(Name, target.Location, current.Redundant) is { IsValid: false } written)
        {
            throw new BootControlException(Name, $"the environment written to {target.Location.Device} does not read back: {written.Problem}");
        }
    }

    private void WriteInPlace(UBootEnvironmentLocation location, byte[] image)
    {
        try
        {
            using var stream = new FileStream(location.Device, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
            stream.Seek(location.Offset, SeekOrigin.Begin);
            stream.Write(image);
            stream.Flush(flushToDisk: true);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new BootControlException(Name, $"cannot write the environment at offset 0x{location.Offset:x} of {location.Device}: {exception.Message}", exception);
        }
    }

    /// <summary>Replaces the first <c>name=</c> string in place (dropping repeats), appends it when absent, or removes it for null.</summary>
    private static void Set(List<string> entries, string name, string? value)
    {
        var prefix = name + "=";
        var first = entries.FindIndex(entry => entry.StartsWith(prefix, StringComparison.Ordinal));
        entries.RemoveAll(entry => entry.StartsWith(prefix, StringComparison.Ordinal));
        if (value is null)
        {
            return;
        }
        if (first < 0)
        {
            entries.Add(prefix + value);
        }
        else
        {
            entries.Insert(first, prefix + value);
        }
    }
}
