using AtomicUpdate.Btrfs;

namespace AtomicUpdate.Publisher.Tests;

/// <summary>
/// What every <c>release import</c> test class starts from: a loopback btrfs with an empty pool
/// directory and a source tree under <c>sources/</c> that the class fills; all of it is removed afterwards.
/// </summary>
public abstract class ReleaseImportTestBase(string sourceName) : IAsyncLifetime
{
    protected BtrfsTool Btrfs { get; } = new();

    protected LoopbackFilesystem Filesystem { get; private set; } = null!;

    protected string Pool { get; private set; } = null!;

    protected string Source { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Filesystem = await LoopbackFilesystem.CreateAsync(1L << 30);
        Pool = Path.Combine(Filesystem.MountPoint, "pool");
        Directory.CreateDirectory(Pool);
        Source = Path.Combine(Filesystem.MountPoint, "sources", sourceName);
        await PrepareAsync();
    }

    public async Task DisposeAsync() => await Filesystem.DisposeAsync();

    /// <summary>Fills <see cref="Source"/> (and the pool, if the class starts from an imported release).</summary>
    protected abstract Task PrepareAsync();
}
