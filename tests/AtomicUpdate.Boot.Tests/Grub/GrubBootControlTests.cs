using AtomicUpdate.Agent.Tests.Support;
using AtomicUpdate.Boot.Grub;
using AtomicUpdate.Testing;

namespace AtomicUpdate.Boot.Tests.Grub;

/// <summary>The two ESP copies, the write order and the pool mirror, checked with grub-editenv on real files.</summary>
public sealed class GrubBootControlTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly GrubBootControl _boot;

    public GrubBootControlTests()
    {
        Directory.CreateDirectory(_directory.Combine("esp", "EFI", "BOOT"));
        Directory.CreateDirectory(_directory.Combine("pool"));
        _boot = new GrubBootControl(_directory.Combine("esp", "EFI", "BOOT", "grubenv"), _directory.Combine("pool"));
    }

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task FirstCommitCreatesBothCopiesAndThePoolMirror()
    {
        Assert.Equal(BootEnvironment.Empty, await _boot.ReadAsync());

        await _boot.CommitAsync("@deploy/1.0");

        Assert.Equal(new BootEnvironment("@deploy/1.0", null, 0), await _boot.ReadAsync());
        foreach (var copy in new[] { _boot.CopyA, _boot.CopyB })
        {
            Assert.Equal("au_seq=1\nau_good=@deploy/1.0\nau_trial=\nau_tries=0\n", await List(copy));
        }
        Assert.Equal("au_good=@deploy/1.0\n", await List(_directory.Combine("pool", ".atomicupdate", "good.env")));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(_boot.CopyA)!, "*.tmp"));
    }

    [Fact]
    public async Task ArmCommitAndMarkBadFollowTheContract()
    {
        await _boot.CommitAsync("@deploy/1.0");

        await _boot.ArmTrialAsync("@deploy/1.1", 3);
        Assert.Equal(new BootEnvironment("@deploy/1.0", "@deploy/1.1", 3), await _boot.ReadAsync());
        Assert.Equal("au_seq=2\nau_good=@deploy/1.0\nau_trial=@deploy/1.1\nau_tries=3\n", await List(_boot.CopyB));

        await _boot.MarkBadAsync("@deploy/9.9");
        Assert.Equal(2, _boot.Read().A.Sequence);

        await _boot.MarkBadAsync("@deploy/1.1");
        Assert.Equal(new BootEnvironment("@deploy/1.0", null, 0), await _boot.ReadAsync());

        await _boot.ArmTrialAsync("@deploy/1.2", 2);
        await _boot.CommitAsync("@deploy/1.2");
        Assert.Equal(new BootEnvironment("@deploy/1.2", null, 0), await _boot.ReadAsync());
        Assert.Equal("au_seq=5\nau_good=@deploy/1.2\nau_trial=\nau_tries=0\n", await List(_boot.CopyA));
        Assert.Equal("au_good=@deploy/1.2\n", await List(_boot.PoolMirror));
    }

    [Fact]
    public async Task CountdownWrittenByGrubIsRead()
    {
        await _boot.CommitAsync("@deploy/1.0");
        await _boot.ArmTrialAsync("@deploy/1.1", 3);

        // What the GRUB script's save_env does: same au_seq, A then B.
        await Shell.RunAsync($"grub-editenv '{_boot.CopyA}' set au_tries=2 && grub-editenv '{_boot.CopyB}' set au_tries=2");

        Assert.Equal(new BootEnvironment("@deploy/1.0", "@deploy/1.1", 2), await _boot.ReadAsync());
    }

    [Fact]
    public async Task PowerCutAfterGrubWroteCopyAOnlyReadsTheCountdownFromA()
    {
        await _boot.CommitAsync("@deploy/1.0");
        await _boot.ArmTrialAsync("@deploy/1.1", 3);

        await Shell.RunAsync($"grub-editenv '{_boot.CopyA}' set au_tries=2");

        Assert.Equal(new BootEnvironment("@deploy/1.0", "@deploy/1.1", 2), await _boot.ReadAsync());
    }

    [Theory]
    [InlineData("missing")]
    [InlineData("torn")]
    [InlineData("garbage")]
    [InlineData("empty")]
    [InlineData("hostile good")]
    [InlineData("hostile trial")]
    [InlineData("bad tries")]
    [InlineData("bad seq")]
    public async Task InvalidCopyAFallsBackToCopyB(string damage)
    {
        await _boot.CommitAsync("@deploy/1.0");
        await _boot.ArmTrialAsync("@deploy/1.1", 3);
        await Damage(_boot.CopyA, damage, sequence: 99);

        var state = _boot.Read();

        Assert.False(state.A.IsValid);
        Assert.NotNull(state.A.Problem);
        Assert.Same(state.B, state.Winner);
        Assert.Equal(new BootEnvironment("@deploy/1.0", "@deploy/1.1", 3), state.Environment);
    }

    [Fact]
    public async Task InvalidCopyBLeavesCopyA()
    {
        await _boot.CommitAsync("@deploy/1.0");
        await _boot.ArmTrialAsync("@deploy/1.1", 3);
        await Damage(_boot.CopyB, "hostile good", sequence: 99);

        Assert.Equal(new BootEnvironment("@deploy/1.0", "@deploy/1.1", 3), await _boot.ReadAsync());
    }

    [Fact]
    public async Task HigherSequenceWinsAndATieGoesToCopyA()
    {
        await WriteCopy(_boot.CopyA, 7, "@deploy/a");
        await WriteCopy(_boot.CopyB, 6, "@deploy/b");
        Assert.Equal("@deploy/a", (await _boot.ReadAsync()).GoodEntry);

        await WriteCopy(_boot.CopyB, 8, "@deploy/b");
        Assert.Equal("@deploy/b", (await _boot.ReadAsync()).GoodEntry);

        await WriteCopy(_boot.CopyB, 7, "@deploy/b");
        Assert.Equal("@deploy/a", (await _boot.ReadAsync()).GoodEntry);
    }

    [Fact]
    public async Task WriteAfterADamagedCopyNumbersPastTheValidOneAndRepairsBoth()
    {
        await WriteCopy(_boot.CopyA, 40, "@deploy/a");
        await WriteCopy(_boot.CopyB, 12, "@deploy/b");
        await Damage(_boot.CopyA, "garbage", sequence: 0);

        await _boot.ArmTrialAsync("@deploy/c", 1);

        var state = _boot.Read();
        Assert.True(state.A.IsValid && state.B.IsValid);
        Assert.Equal((13, 13), (state.A.Sequence, state.B.Sequence));
        Assert.Equal(new BootEnvironment("@deploy/b", "@deploy/c", 1), state.Environment);
    }

    [Fact]
    public async Task SequenceWrapsAfterNineDigits()
    {
        await WriteCopy(_boot.CopyA, 999_999_999, "@deploy/a");
        await WriteCopy(_boot.CopyB, 999_999_999, "@deploy/a");

        await _boot.CommitAsync("@deploy/b");

        Assert.Equal((1, 1), (_boot.Read().A.Sequence, _boot.Read().B.Sequence));
        Assert.Equal("@deploy/b", (await _boot.ReadAsync()).GoodEntry);
    }

    [Fact]
    public async Task BothCopiesInvalidBootsThePoolMirror()
    {
        await _boot.CommitAsync("@deploy/1.0");
        await _boot.ArmTrialAsync("@deploy/1.1", 3);
        await Damage(_boot.CopyA, "hostile good", sequence: 5);
        await Damage(_boot.CopyB, "torn", sequence: 0);

        Assert.Equal(new BootEnvironment("@deploy/1.0", null, 0), await _boot.ReadAsync());

        // Arming again keeps the pool's known-good entry and repairs both copies.
        await _boot.ArmTrialAsync("@deploy/1.1", 3);
        Assert.Equal(new BootEnvironment("@deploy/1.0", "@deploy/1.1", 3), await _boot.ReadAsync());
        Assert.True(_boot.Read().A.IsValid && _boot.Read().B.IsValid);
    }

    [Fact]
    public async Task BothCopiesAndTheMirrorInvalidReadsEmpty()
    {
        await _boot.CommitAsync("@deploy/1.0");
        await Damage(_boot.CopyA, "garbage", sequence: 0);
        await Damage(_boot.CopyB, "missing", sequence: 0);
        await Damage(_boot.PoolMirror, "hostile good", sequence: 1);

        Assert.Equal(BootEnvironment.Empty, await _boot.ReadAsync());

        var error = await Assert.ThrowsAsync<BootControlException>(() => _boot.ArmTrialAsync("@deploy/1.1", 3));
        Assert.Equal("grub", error.Backend);
        Assert.Contains("no known-good entry", error.Message);
        Assert.False(_boot.Read().A.IsValid);
    }

    [Fact]
    public async Task PowerCutDuringTheAgentsWriteLeavesTheOldOrTheNewState()
    {
        await _boot.CommitAsync("@deploy/1.0");
        var before = (File.ReadAllBytes(_boot.CopyA), File.ReadAllBytes(_boot.CopyB));
        await _boot.ArmTrialAsync("@deploy/1.1", 3);
        var after = (File.ReadAllBytes(_boot.CopyA), File.ReadAllBytes(_boot.CopyB));
        var old = new BootEnvironment("@deploy/1.0", null, 0);
        var armed = new BootEnvironment("@deploy/1.0", "@deploy/1.1", 3);

        // Cut while A is being written: A torn (or still old), B old.
        File.WriteAllBytes(_boot.CopyA, after.Item1[..300]);
        File.WriteAllBytes(_boot.CopyB, before.Item2);
        Assert.Equal(old, await _boot.ReadAsync());

        // Cut after A, before or during B: A new, B old or torn.
        File.WriteAllBytes(_boot.CopyA, after.Item1);
        Assert.Equal(armed, await _boot.ReadAsync());
        File.WriteAllBytes(_boot.CopyB, after.Item2[..700]);
        Assert.Equal(armed, await _boot.ReadAsync());
    }

    [Fact]
    public async Task LeftoverTempFileFromACutWriteIsHarmlessAndRemoved()
    {
        await _boot.CommitAsync("@deploy/1.0");
        File.WriteAllBytes(Path.Combine(Path.GetDirectoryName(_boot.CopyA)!, ".grubenv.0123.tmp"), [1, 2, 3]);

        await _boot.ArmTrialAsync("@deploy/1.1", 2);

        Assert.Equal(new BootEnvironment("@deploy/1.0", "@deploy/1.1", 2), await _boot.ReadAsync());
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(_boot.CopyA)!, "*.tmp"));
    }

    [Fact]
    public async Task MissingEspDirectoryIsRefusedRatherThanCreated()
    {
        var boot = new GrubBootControl(_directory.Combine("not-mounted", "EFI", "BOOT", "grubenv"), _directory.Combine("pool"));

        var error = await Assert.ThrowsAsync<BootControlException>(() => boot.CommitAsync("@deploy/1.0"));

        Assert.Contains("Boot control (grub)", error.Message);
        Assert.Contains("is the ESP mounted?", error.Message);
        Assert.False(Directory.Exists(_directory.Combine("not-mounted")));
    }

    [Fact]
    public async Task UnreadableCopyIsAnErrorNamingTheFile()
    {
        Directory.CreateDirectory(_boot.CopyA);

        var error = await Assert.ThrowsAsync<BootControlException>(() => _boot.ReadAsync());

        Assert.Contains($"cannot read the environment file {_boot.CopyA}", error.Message);
    }

    [Theory]
    [InlineData("@deploy/1.0 init=/bin/sh")]
    [InlineData("/boot/vmlinuz")]
    [InlineData("@deploy/")]
    [InlineData("@deploy/..")]
    [InlineData("@deploy/.")]
    public async Task InvalidEntriesAreRefused(string entry)
    {
        await _boot.CommitAsync("@deploy/1.0");

        var error = await Assert.ThrowsAsync<BootControlException>(() => _boot.ArmTrialAsync(entry, 3));

        Assert.Contains($"'{entry}' is not a valid boot entry", error.Message);
        Assert.Equal(new BootEnvironment("@deploy/1.0", null, 0), await _boot.ReadAsync());
    }

    private static Task<string> List(string path) => Shell.RunAsync($"grub-editenv '{path}' list");

    private static Task WriteCopy(string path, long sequence, string good) =>
        Shell.RunAsync($"rm -f '{path}' && grub-editenv '{path}' create && grub-editenv '{path}' set au_seq={sequence} au_good={good} au_trial= au_tries=0");

    private static async Task Damage(string path, string damage, long sequence)
    {
        switch (damage)
        {
            case "missing":
                File.Delete(path);
                break;
            case "torn":
                File.WriteAllBytes(path, File.ReadAllBytes(path)[..200]);
                break;
            case "garbage":
                File.WriteAllBytes(path, [.. Enumerable.Range(0, 1024).Select(i => (byte)(i * 7))]);
                break;
            case "empty":
                File.WriteAllBytes(path, []);
                break;
            case "hostile good":
                await Shell.RunAsync($"grub-editenv '{path}' set au_seq={sequence} 'au_good=@deploy/1.0 init=/bin/sh'");
                break;
            case "hostile trial":
                await Shell.RunAsync($"grub-editenv '{path}' set au_seq={sequence} 'au_trial=@deploy/1.1 rd.break' au_tries=3");
                break;
            case "bad tries":
                await Shell.RunAsync($"grub-editenv '{path}' set au_seq={sequence} au_tries=10");
                break;
            case "bad seq":
                await Shell.RunAsync($"grub-editenv '{path}' set au_seq=1234567890");
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(damage), damage, null);
        }
    }
}
