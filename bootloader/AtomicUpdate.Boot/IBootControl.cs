namespace AtomicUpdate.Boot;

/// <summary>
/// The small contract every bootloader backend keeps (DESIGN.md section 7): read the environment,
/// arm a trial with a number of tries, commit an entry as known-good, mark a trial bad. Every
/// write is one atomic environment update; every error names the backend.
/// </summary>
public interface IBootControl
{
    /// <summary>The backend's name for messages: grub, u-boot, file, none.</summary>
    string Name { get; }

    Task<BootEnvironment> ReadAsync(CancellationToken cancellationToken = default);

    /// <summary>trial = <paramref name="entry"/>, tries = <paramref name="tries"/>; the known-good entry is untouched.</summary>
    Task ArmTrialAsync(string entry, int tries, CancellationToken cancellationToken = default);

    /// <summary>good = <paramref name="entry"/>, trial cleared.</summary>
    Task CommitAsync(string entry, CancellationToken cancellationToken = default);

    /// <summary>Clears the trial so the next boot is the known-good entry.</summary>
    Task MarkBadAsync(string entry, CancellationToken cancellationToken = default);
}
