using System.Globalization;
using System.Text;

namespace AtomicUpdate.Boot;

/// <summary>
/// A boot environment in a plain file of whitelisted <c>key=value</c> lines, written atomically
/// (temp file, fsync, rename, fsync directory). Used by tests and by the demo's simulated reboot;
/// <see cref="SimulateBoot"/> applies the same rules the GRUB and U-Boot scripts apply.
/// </summary>
public sealed class FileBootControl(string path) : IBootControl
{
    private const string GoodKey = "au_good";
    private const string TrialKey = "au_trial";
    private const string TriesKey = "au_tries";

    public string Name => "file";

    public string Path { get; } = path;

    public Task<BootEnvironment> ReadAsync(CancellationToken cancellationToken = default) => Task.FromResult(Read());

    public Task ArmTrialAsync(string entry, int tries, CancellationToken cancellationToken = default)
    {
        Check(entry);
        ArgumentOutOfRangeException.ThrowIfLessThan(tries, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(tries, 9);
        Write(Read() with { TrialEntry = entry, TriesLeft = tries });
        return Task.CompletedTask;
    }

    public Task CommitAsync(string entry, CancellationToken cancellationToken = default)
    {
        Check(entry);
        Write(new BootEnvironment(entry, null, 0));
        return Task.CompletedTask;
    }

    public Task MarkBadAsync(string entry, CancellationToken cancellationToken = default)
    {
        var environment = Read();
        if (environment.TrialEntry == entry)
        {
            Write(environment with { TrialEntry = null, TriesLeft = 0 });
        }
        return Task.CompletedTask;
    }

    /// <summary>
    /// One boot as the boot scripts do it: a trial with tries left is booted after its count is
    /// decremented; a trial without tries is cleared and known-good boots with the rollback flag.
    /// </summary>
    public KernelCommandLine SimulateBoot()
    {
        var environment = Read();
        if (environment.TrialEntry is { } trial)
        {
            if (environment.TriesLeft > 0)
            {
                Write(environment with { TriesLeft = environment.TriesLeft - 1 });
                return new KernelCommandLine(trial, false);
            }
            Write(environment with { TrialEntry = null, TriesLeft = 0 });
            return new KernelCommandLine(environment.GoodEntry, true);
        }
        return new KernelCommandLine(environment.GoodEntry, false);
    }

    private BootEnvironment Read()
    {
        if (!File.Exists(Path))
        {
            return BootEnvironment.Empty;
        }
        string? good = null, trial = null;
        var tries = 0;
        foreach (var line in File.ReadAllLines(Path))
        {
            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals < 0)
            {
                continue;
            }
            var (key, value) = (line[..equals], line[(equals + 1)..]);
            switch (key)
            {
                case GoodKey when BootEntries.IsValid(value):
                    good = value;
                    break;
                case TrialKey when BootEntries.IsValid(value):
                    trial = value;
                    break;
                case TriesKey when value.Length == 1 && value[0] is >= '0' and <= '9':
                    tries = value[0] - '0';
                    break;
            }
        }
        return new BootEnvironment(good, trial, trial is null ? 0 : tries);
    }

    private void Write(BootEnvironment environment)
    {
        var text = new StringBuilder();
        if (environment.GoodEntry is { } good)
        {
            text.Append(CultureInfo.InvariantCulture, $"{GoodKey}={good}\n");
        }
        if (environment.TrialEntry is { } trial)
        {
            text.Append(CultureInfo.InvariantCulture, $"{TrialKey}={trial}\n{TriesKey}={environment.TriesLeft}\n");
        }
        try
        {
            DurableFile.WriteAllBytes(Path, Encoding.ASCII.GetBytes(text.ToString()));
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new BootControlException(Name, $"cannot write the environment file {Path}: {exception.Message}", exception);
        }
    }

    private void Check(string entry)
    {
        if (!BootEntries.IsValid(entry))
        {
            throw new BootControlException(Name, $"'{entry}' is not a valid boot entry (expected {BootEntries.DeployDirectory}/<version>).");
        }
    }
}
