using AtomicUpdate.Agent.Tests.Support;
using AtomicUpdate.Boot.UBoot;
using AtomicUpdate.Testing;

namespace AtomicUpdate.Boot.Tests.UBoot;

/// <summary>The U-Boot backend against fw_printenv and fw_setenv (libubootenv) on files standing in for devices.</summary>
public sealed class UBootBootControlTests : IDisposable
{
    private const int Size = 0x2000;

    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task EnvironmentFromFwSetenvIsUpdatedWithOtherVariablesUntouched(bool redundant)
    {
        var boot = await Create(redundant);
        var before = await PrintEnv();

        await boot.CommitAsync("@deploy/1.0");

        Assert.Equal(new BootEnvironment("@deploy/1.0", null, 0), await boot.ReadAsync());
        var after = await PrintEnv();
        Assert.Equal(Without(before), Without(after));
        Assert.Contains("au_good=@deploy/1.0\n", after);
        Assert.Contains("au_tries=0\n", after);
        Assert.DoesNotContain("au_trial", after);
        Assert.Contains("bootcmd=run distro_bootcmd; echo 'a=b'\n", after);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ArmCommitAndMarkBadAreSeenByFwPrintenv(bool redundant)
    {
        var boot = await Create(redundant);
        await boot.CommitAsync("@deploy/1.0");

        await boot.ArmTrialAsync("@deploy/1.1", 3);
        Assert.Equal("@deploy/1.1\n", await Shell.RunAsync($"fw_printenv -c '{Config}' -n au_trial"));
        Assert.Equal("3\n", await Shell.RunAsync($"fw_printenv -c '{Config}' -n au_tries"));
        Assert.Equal("@deploy/1.0\n", await Shell.RunAsync($"fw_printenv -c '{Config}' -n au_good"));

        // The boot script's countdown, done here by fw_setenv.
        await Shell.RunAsync($"fw_setenv -c '{Config}' au_tries 2");
        Assert.Equal(new BootEnvironment("@deploy/1.0", "@deploy/1.1", 2), await boot.ReadAsync());

        await boot.MarkBadAsync("@deploy/9.9");
        Assert.Equal(new BootEnvironment("@deploy/1.0", "@deploy/1.1", 2), await boot.ReadAsync());
        await boot.MarkBadAsync("@deploy/1.1");
        Assert.Equal(new BootEnvironment("@deploy/1.0", null, 0), await boot.ReadAsync());
        Assert.DoesNotContain("au_trial", await PrintEnv());

        await boot.ArmTrialAsync("@deploy/1.2", 1);
        await boot.CommitAsync("@deploy/1.2");
        Assert.Equal(new BootEnvironment("@deploy/1.2", null, 0), await boot.ReadAsync());
        Assert.Equal("@deploy/1.2\n", await Shell.RunAsync($"fw_printenv -c '{Config}' -n au_good"));
    }

    [Fact]
    public async Task RedundantWritesAlternateCopiesWithTheNextFlag()
    {
        var boot = await Create(redundant: true);
        var start = boot.Read();
        var active = start.Active!;

        await boot.CommitAsync("@deploy/1.0");

        var state = boot.Read();
        Assert.NotSame(active.Location, state.Active!.Location);
        Assert.NotEqual(active.Location, state.Active.Location);
        Assert.Equal((byte)(active.Flag + 1), state.Active.Flag);
        Assert.Equal(active.Entries, state.Copies.Single(copy => copy.Location == active.Location).Entries);

        await boot.ArmTrialAsync("@deploy/1.1", 3);
        Assert.Equal(active.Location, boot.Read().Active!.Location);
        Assert.Equal((byte)(active.Flag + 2), boot.Read().Active!.Flag);
    }

    [Fact]
    public async Task CorruptActiveCopyFallsBackToTheOtherForUsAndForFwPrintenv()
    {
        var boot = await Create(redundant: true);
        await boot.CommitAsync("@deploy/1.0");
        await boot.ArmTrialAsync("@deploy/1.1", 3);
        var active = boot.Read().Active!.Location;

        FlipByte(active, 100);

        Assert.Equal(new BootEnvironment("@deploy/1.0", null, 0), await boot.ReadAsync());
        Assert.DoesNotContain("au_trial", await PrintEnv());
        var state = boot.Read();
        Assert.Contains("the CRC is", state.Copies.Single(copy => !copy.IsValid).Problem);
    }

    [Theory]
    [InlineData("truncated")]
    [InlineData("half written")]
    [InlineData("zeroed")]
    public async Task PowerCutWhileWritingTheInactiveCopyKeepsTheOldState(string cut)
    {
        var boot = await Create(redundant: true);
        await boot.CommitAsync("@deploy/1.0");
        var state = boot.Read();
        var inactive = state.Copies.Single(copy => copy.Location != state.Active!.Location).Location;
        var old = File.ReadAllBytes(inactive.Device);

        await boot.ArmTrialAsync("@deploy/1.1", 3);
        var written = File.ReadAllBytes(inactive.Device);
        File.WriteAllBytes(inactive.Device, cut switch
        {
            "truncated" => written[..(Size / 2)],
            // The header and the first variables new, the rest (where the new au_* strings go) still old.
            "half written" => [.. written[..64], .. old[64..]],
            "zeroed" => new byte[Size],
            _ => throw new ArgumentOutOfRangeException(nameof(cut)),
        });

        Assert.Equal(new BootEnvironment("@deploy/1.0", null, 0), await boot.ReadAsync());
        if (cut != "truncated")
        {
            // libubootenv gives up on a copy shorter than the environment (a real device never is).
            Assert.DoesNotContain("au_trial", await PrintEnv());
        }

        // The next write goes to the damaged copy again and repairs it.
        await boot.ArmTrialAsync("@deploy/1.1", 3);
        Assert.Equal(new BootEnvironment("@deploy/1.0", "@deploy/1.1", 3), await boot.ReadAsync());
        Assert.All(boot.Read().Copies, copy => Assert.True(copy.IsValid));
    }

    [Fact]
    public async Task FlagWrapsFrom255ToZeroAsLibubootenvExpects()
    {
        Directory.CreateDirectory(_directory.Combine("dev"));
        var first = _directory.Combine("dev", "env0");
        var second = _directory.Combine("dev", "env1");
        File.WriteAllBytes(first, UBootEnvironmentImage.Format(["bootcmd=boot", "au_good=@deploy/1.0"], Size, redundant: true, flag: 255));
        File.WriteAllBytes(second, UBootEnvironmentImage.Format(["bootcmd=boot", "au_good=@deploy/0.9"], Size, redundant: true, flag: 254));
        File.WriteAllText(Config, $"{first} 0x0 0x{Size:x}\n{second} 0x0 0x{Size:x}\n");
        var boot = new UBootBootControl(Config, Pool);

        await boot.ArmTrialAsync("@deploy/1.1", 2);

        Assert.Equal(0, boot.Read().Active!.Flag);
        Assert.Equal(second, boot.Read().Active!.Location.Device);
        Assert.Equal("@deploy/1.1\n", await Shell.RunAsync($"fw_printenv -c '{Config}' -n au_trial"));
    }

    [Fact]
    public async Task BothCopiesInOneFileAtOffsets()
    {
        var image = _directory.Combine("disk.img");
        File.WriteAllBytes(image, new byte[0x10000]);
        File.WriteAllText(Config, $"{image} 0x4000 0x{Size:x}\n{image} 0x8000 0x{Size:x}\n");
        await Shell.RunAsync($"printf 'bootcmd=boot\\n' > '{_directory.Combine("defaults")}' && fw_setenv -c '{Config}' -f '{_directory.Combine("defaults")}' board qemu");
        var boot = new UBootBootControl(Config, Pool);

        await boot.CommitAsync("@deploy/2.0");
        await boot.ArmTrialAsync("@deploy/2.1", 3);

        Assert.Equal("@deploy/2.1\n", await Shell.RunAsync($"fw_printenv -c '{Config}' -n au_trial"));
        Assert.Equal("qemu\n", await Shell.RunAsync($"fw_printenv -c '{Config}' -n board"));
        var bytes = File.ReadAllBytes(image);
        Assert.All(bytes[..0x4000], b => Assert.Equal(0, b));
        Assert.All(bytes[0xA000..], b => Assert.Equal(0, b));
    }

    [Fact]
    public async Task HostileValuesAreNotTrusted()
    {
        var boot = await Create(redundant: false);
        await Shell.RunAsync($"fw_setenv -c '{Config}' au_good '@deploy/1.0 init=/bin/sh'");

        Assert.Equal(BootEnvironment.Empty, await boot.ReadAsync());
        var error = await Assert.ThrowsAsync<BootControlException>(() => boot.ArmTrialAsync("@deploy/1.1", 3));
        Assert.Contains("has a valid au_good to fall back to", error.Message);

        // A copy with a hostile trial is not used at all (as in the boot script): the known-good record is.
        await boot.CommitAsync("@deploy/1.0");
        await Shell.RunAsync($"fw_setenv -c '{Config}' au_trial '@deploy/1.1;reset' && fw_setenv -c '{Config}' au_tries 3");
        Assert.Null(boot.Read().Chosen);
        Assert.Equal(new BootEnvironment("@deploy/1.0", null, 0), await boot.ReadAsync());
        await Shell.RunAsync($"fw_setenv -c '{Config}' au_trial @deploy/.. && fw_setenv -c '{Config}' au_tries 3");
        Assert.Null(boot.Read().Chosen);
        await Shell.RunAsync($"fw_setenv -c '{Config}' au_trial @deploy/1.1 && fw_setenv -c '{Config}' au_tries x");
        Assert.Null(boot.Read().Chosen);
        await Shell.RunAsync($"fw_setenv -c '{Config}' au_tries 3");
        Assert.Equal(new BootEnvironment("@deploy/1.0", "@deploy/1.1", 3), await boot.ReadAsync());
    }

    [Fact]
    public async Task NewerCopyWithInvalidValuesLosesToTheOlderValidOneAsInTheBootScript()
    {
        var boot = await Create(redundant: true);
        await boot.CommitAsync("@deploy/1.0");
        var valid = boot.Read().Active!;
        // A newer copy (higher flag, good CRC) whose au_good is hostile.
        await Shell.RunAsync($"fw_setenv -c '{Config}' au_good '@deploy/1.0 init=/bin/sh'");
        var state = boot.Read();
        Assert.NotEqual(valid.Location, state.Active!.Location);
        Assert.Equal(valid.Location, state.Chosen!.Location);

        Assert.Equal(new BootEnvironment("@deploy/1.0", null, 0), await boot.ReadAsync());

        // The agent writes over the hostile copy, from the valid one's variables, with the next flag.
        await boot.ArmTrialAsync("@deploy/1.1", 3);
        state = boot.Read();
        Assert.NotEqual(valid.Location, state.Active!.Location);
        Assert.Equal((byte)(valid.Flag + 1), state.Active.Flag);
        Assert.Equal(new BootEnvironment("@deploy/1.0", "@deploy/1.1", 3), await boot.ReadAsync());
        Assert.Equal("@deploy/1.0\n", await Shell.RunAsync($"fw_printenv -c '{Config}' -n au_good"));
        Assert.Equal("AU-0001 rev=b\n", await Shell.RunAsync($"fw_printenv -c '{Config}' -n serial"));
    }

    [Fact]
    public async Task NoUsableCopyFallsBackToTheKnownGoodRecord()
    {
        var boot = await Create(redundant: true);
        await boot.CommitAsync("@deploy/1.0");
        Assert.Equal("au_good=@deploy/1.0\n", await Shell.RunAsync($"grub-editenv '{_directory.Combine("pool", ".atomicupdate", "good.env")}' list"));
        foreach (var copy in boot.Read().Copies)
        {
            FlipByte(copy.Location, 10);
        }

        Assert.Equal(new BootEnvironment("@deploy/1.0", null, 0), await boot.ReadAsync());
    }

    [Fact]
    public async Task NoValidEnvironmentIsRefusedAndNothingIsWritten()
    {
        Directory.CreateDirectory(_directory.Combine("dev"));
        var device = _directory.Combine("dev", "env0");
        File.WriteAllBytes(device, new byte[Size]);
        File.WriteAllText(Config, $"{device} 0x0 0x{Size:x}\n");
        var boot = new UBootBootControl(Config, Pool);

        var error = await Assert.ThrowsAsync<BootControlException>(() => boot.CommitAsync("@deploy/1.0"));

        Assert.Equal("u-boot", error.Backend);
        Assert.Contains("no valid U-Boot environment", error.Message);
        Assert.Contains("the CRC is", error.Message);
        Assert.Equal(new byte[Size], File.ReadAllBytes(device));
    }

    [Fact]
    public async Task ConfigurationErrorsNameTheBackendAndTheFile()
    {
        var missing = new UBootBootControl(_directory.Combine("nope.config"), Pool);
        var error = await Assert.ThrowsAsync<BootControlException>(() => missing.ReadAsync());
        Assert.Contains($"Boot control (u-boot): cannot read the environment configuration {_directory.Combine("nope.config")}", error.Message);

        File.WriteAllText(Config, $"{_directory.Combine("absent")} 0x0 0x2000\n");
        error = await Assert.ThrowsAsync<BootControlException>(() => new UBootBootControl(Config, Pool).ReadAsync());
        Assert.Contains($"cannot read the environment at offset 0x0 of {_directory.Combine("absent")}", error.Message);

        File.WriteAllText(Config, "/dev/mtd0 0x0 0x2000\n");
        error = await Assert.ThrowsAsync<BootControlException>(() => new UBootBootControl(Config, Pool).ReadAsync());
        Assert.Contains($"the environment configuration {Config} is not valid: line 1", error.Message);
    }

    [Fact]
    public async Task EnvironmentTooSmallForTheNewValuesIsRefusedUnchanged()
    {
        Directory.CreateDirectory(_directory.Combine("dev"));
        var device = _directory.Combine("dev", "env0");
        var image = UBootEnvironmentImage.Format(["bootcmd=" + new string('x', 80)], 100, redundant: false, flag: 0);
        File.WriteAllBytes(device, image);
        File.WriteAllText(Config, $"{device} 0 0x64\n");

        var error = await Assert.ThrowsAsync<BootControlException>(() => new UBootBootControl(Config, Pool).CommitAsync("@deploy/1.0"));

        Assert.Contains("do not fit", error.Message);
        Assert.Equal(image, File.ReadAllBytes(device));
    }

    [Fact]
    public async Task WritesWaitForTheLockFwSetenvTakes()
    {
        var boot = await Create(redundant: true);
        var marker = _directory.Combine("locked");
        using var holder = System.Diagnostics.Process.Start("flock", [UBootEnvironmentLock.DefaultPath, "sh", "-c", $"touch '{marker}'; sleep 1.5"]);
        try
        {
            while (!File.Exists(marker))
            {
                await Task.Delay(10);
            }
            var stopwatch = System.Diagnostics.Stopwatch.StartNew();

            await boot.CommitAsync("@deploy/1.0");

            // Unlocked, a commit takes milliseconds; the other writer holds the lock for 1.5 s.
            Assert.True(stopwatch.Elapsed > TimeSpan.FromSeconds(0.5), $"the commit took {stopwatch.Elapsed}, inside the other writer's lock");
        }
        finally
        {
            if (!holder.HasExited)
            {
                holder.Kill();
            }
        }
        Assert.Equal(new BootEnvironment("@deploy/1.0", null, 0), await boot.ReadAsync());
    }

    private string Config => _directory.Combine("fw_env.config");

    private string Pool => Directory.CreateDirectory(_directory.Combine("pool")).FullName;

    /// <summary>Zeroed "devices" and an environment created by fw_setenv from defaults, as a board's first saveenv would.</summary>
    private async Task<UBootBootControl> Create(bool redundant)
    {
        Directory.CreateDirectory(_directory.Combine("dev"));
        var lines = new List<string>();
        foreach (var name in redundant ? new[] { "env0", "env1" } : ["env0"])
        {
            var device = _directory.Combine("dev", name);
            File.WriteAllBytes(device, new byte[Size]);
            lines.Add($"{device} 0x0 0x{Size:x}");
        }
        File.WriteAllText(Config, string.Join("\n", lines) + "\n");
        var defaults = _directory.Combine("defaults.txt");
        File.WriteAllText(defaults, "bootcmd=run distro_bootcmd; echo 'a=b'\nbootdelay=2\nfdt_addr=0x40000000\n");
        await Shell.RunAsync($"fw_setenv -c '{Config}' -f '{defaults}' serial 'AU-0001 rev=b'");
        await Shell.RunAsync($"fw_setenv -c '{Config}' -f '{defaults}' .flags 'serial:so'");
        return new UBootBootControl(Config, Pool);
    }

    private Task<string> PrintEnv() => Shell.RunAsync($"fw_printenv -c '{Config}'");

    private static string[] Without(string printed) =>
        [.. printed.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(line => !line.StartsWith("au_", StringComparison.Ordinal))];

    private static void FlipByte(UBootEnvironmentLocation location, int at)
    {
        using var stream = new FileStream(location.Device, FileMode.Open, FileAccess.ReadWrite);
        stream.Seek(location.Offset + at, SeekOrigin.Begin);
        var value = stream.ReadByte();
        stream.Seek(-1, SeekOrigin.Current);
        stream.WriteByte((byte)(value ^ 0x55));
    }
}
