using AtomicUpdate.Boot.UBoot;

namespace AtomicUpdate.Boot.Tests.UBootScript;

/// <summary>
/// bootloader/u-boot/boot.cmd in real U-Boot (Debian's qemu_arm64 build under QEMU): what it boots, what it
/// writes back, and that libubootenv reads what it wrote. See bootloader/README.md for the contract.
/// </summary>
public sealed class UBootScriptTests
{
    private const string Good = "@deploy/1.0";
    private const string Trial = "@deploy/2.0";

    [Fact]
    public async Task An_armed_trial_boots_with_one_try_less_written_first_to_the_other_copy()
    {
        using var board = UBootTestBoard.Create(Good, Trial);
        await board.WriteEnvironmentAsync($"au_good={Good}", $"au_trial={Trial}", "au_tries=3");
        var read = await File.ReadAllBytesAsync(board.CopyB);

        var console = await board.BootAsync();

        Assert.Equal(Trial, console.StartedKernel);
        Assert.Equal($"{UBootTestBoard.CommandLinePrefix} rootflags=subvol={Trial} atomicupdate.entry={Trial}", console.CommandLineSeenByKernel);
        Assert.Equal(console.BootArgs, console.CommandLineSeenByKernel);
        Assert.Equal(new KernelCommandLine(Trial, Rollback: false), console.CommandLine);
        Assert.Equal(Environment(Good, Trial, "2"), await board.ReadEnvironmentAsync());
        // The copy U-Boot read stays intact; the new state went to the other one with the next flag.
        Assert.Equal(read, await File.ReadAllBytesAsync(board.CopyB));
        Assert.Equal(UBootTestBoard.FlagOf(board.CopyB) + 1, UBootTestBoard.FlagOf(board.CopyA));
    }

    [Fact]
    public async Task A_trial_that_never_commits_counts_down_then_rolls_back_to_known_good()
    {
        using var board = UBootTestBoard.Create(Good, Trial);
        await board.WriteEnvironmentAsync($"au_good={Good}", $"au_trial={Trial}", "au_tries=2");

        var first = await board.BootAsync();
        Assert.Equal(Trial, first.StartedKernel);
        Assert.Equal(Environment(Good, Trial, "1"), await board.ReadEnvironmentAsync());

        var second = await board.BootAsync();
        Assert.Equal(Trial, second.StartedKernel);
        Assert.Equal(Environment(Good, Trial, "0"), await board.ReadEnvironmentAsync());

        var third = await board.BootAsync();
        Assert.Equal(Good, third.StartedKernel);
        Assert.Equal(new KernelCommandLine(Good, Rollback: true), third.CommandLine);
        Assert.Equal(Environment(Good, trial: null, "0"), await board.ReadEnvironmentAsync());

        var fourth = await board.BootAsync();
        Assert.Equal(Good, fourth.StartedKernel);
        Assert.Equal(new KernelCommandLine(Good, Rollback: false), fourth.CommandLine);
    }

    [Fact]
    public async Task The_agents_U_Boot_backend_and_the_script_agree_from_arming_through_rollback_to_commit()
    {
        using var board = UBootTestBoard.Create(Good, Trial);
        await board.WriteEnvironmentAsync($"au_good={Good}");
        using var pool = new AtomicUpdate.Agent.Tests.Support.TempDirectory();
        var agent = new UBootBootControl(board.Config, pool.Path);

        await agent.ArmTrialAsync(Trial, 1);
        Assert.Equal(Trial, (await board.BootAsync()).StartedKernel);
        Assert.Equal(new BootEnvironment(Good, Trial, 0), await agent.ReadAsync());

        var rollback = await board.BootAsync();
        Assert.Equal(new KernelCommandLine(Good, Rollback: true), rollback.CommandLine);
        Assert.Equal(new BootEnvironment(Good, null, 0), await agent.ReadAsync());

        await agent.ArmTrialAsync(Trial, 3);
        Assert.Equal(new KernelCommandLine(Trial, Rollback: false), (await board.BootAsync()).CommandLine);
        Assert.Equal(new BootEnvironment(Good, Trial, 2), await agent.ReadAsync());
        await agent.CommitAsync(Trial);

        var committed = await board.BootAsync();
        Assert.Equal(new KernelCommandLine(Trial, Rollback: false), committed.CommandLine);
        Assert.StartsWith($"{Trial} (good,", committed.Decision, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_trial_without_tries_left_boots_known_good_with_the_rollback_flag_and_is_cleared()
    {
        using var board = UBootTestBoard.Create(Good, Trial);
        await board.WriteEnvironmentAsync($"au_good={Good}", $"au_trial={Trial}", "au_tries=0");

        var console = await board.BootAsync();

        Assert.Equal(Good, console.StartedKernel);
        Assert.Equal($"{UBootTestBoard.CommandLinePrefix} rootflags=subvol={Good} atomicupdate.entry={Good} atomicupdate.rollback=1", console.CommandLineSeenByKernel);
        Assert.Equal(Environment(Good, trial: null, "0"), await board.ReadEnvironmentAsync());
    }

    [Fact]
    public async Task Without_a_trial_known_good_boots_and_nothing_is_written()
    {
        using var board = UBootTestBoard.Create(Good, Trial);
        await board.WriteEnvironmentAsync($"au_good={Good}");
        await board.WriteEnvironmentAsync("au_tries=0");
        var (copyA, copyB) = (await File.ReadAllBytesAsync(board.CopyA), await File.ReadAllBytesAsync(board.CopyB));

        var console = await board.BootAsync();

        Assert.Equal(Good, console.StartedKernel);
        Assert.Equal($"{UBootTestBoard.CommandLinePrefix} rootflags=subvol={Good} atomicupdate.entry={Good}", console.CommandLineSeenByKernel);
        Assert.Equal(copyA, await File.ReadAllBytesAsync(board.CopyA));
        Assert.Equal(copyB, await File.ReadAllBytesAsync(board.CopyB));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_copy_with_a_bad_CRC_is_skipped_for_the_other(bool corruptNewer)
    {
        using var board = UBootTestBoard.Create(Good, Trial);
        // The first write goes to copy B, the second (newer, armed) to copy A.
        await board.WriteEnvironmentAsync($"au_good={Good}");
        await board.WriteEnvironmentAsync($"au_trial={Trial}", "au_tries=3");
        UBootTestBoard.Corrupt(corruptNewer ? board.CopyA : board.CopyB);

        var console = await board.BootAsync();

        if (corruptNewer)
        {
            Assert.Equal(Good, console.StartedKernel);
            Assert.Equal($"{Good} (good, environment copy b)", console.Decision);
        }
        else
        {
            Assert.Equal(Trial, console.StartedKernel);
            Assert.Equal($"{Trial} (trial, environment copy a)", console.Decision);
            Assert.Equal(Environment(Good, Trial, "2"), await board.ReadEnvironmentAsync());
        }
    }

    [Fact]
    public async Task The_flag_wraps_from_255_to_0_as_in_libubootenv()
    {
        using var board = UBootTestBoard.Create(Good, Trial);
        await board.WriteEnvironmentAsync($"au_good={Good}");
        await board.WriteEnvironmentAsync($"au_trial={Trial}", "au_tries=3");
        UBootTestBoard.SetFlag(board.CopyB, 0xff);
        UBootTestBoard.SetFlag(board.CopyA, 0x00);
        Assert.Equal(Environment(Good, Trial, "3"), await board.ReadEnvironmentAsync());

        var console = await board.BootAsync();

        Assert.Equal($"{Trial} (trial, environment copy a)", console.Decision);
        Assert.Equal(1, UBootTestBoard.FlagOf(board.CopyB));
        Assert.Equal(Environment(Good, Trial, "2"), await board.ReadEnvironmentAsync());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Without_a_valid_copy_the_known_good_entry_recorded_next_to_the_pool_boots(bool blank)
    {
        using var board = UBootTestBoard.Create(Good, Trial);
        if (!blank)
        {
            await board.WriteEnvironmentAsync($"au_good={Trial}");
            await board.WriteEnvironmentAsync($"au_good={Trial}");
            UBootTestBoard.Corrupt(board.CopyA);
            UBootTestBoard.Corrupt(board.CopyB);
        }
        await board.RecordKnownGoodAsync(Good);

        var console = await board.BootAsync();

        Assert.Equal(Good, console.StartedKernel);
        Assert.Equal($"{Good} (fallback, environment copy none)", console.Decision);
        Assert.Equal(new KernelCommandLine(Good, Rollback: false), console.CommandLine);
    }

    [Fact]
    public async Task A_trial_whose_kernel_is_missing_falls_back_to_known_good_with_the_rollback_flag()
    {
        using var board = UBootTestBoard.Create(Good);
        await board.WriteEnvironmentAsync($"au_good={Good}", $"au_trial={Trial}", "au_tries=3");

        var console = await board.BootAsync();

        Assert.Equal(Good, console.StartedKernel);
        Assert.Equal(new KernelCommandLine(Good, Rollback: true), console.CommandLine);
        Assert.Equal(Environment(Good, Trial, "2"), await board.ReadEnvironmentAsync());
    }

    [Fact]
    public async Task Without_any_valid_record_nothing_boots()
    {
        using var board = UBootTestBoard.Create(Good, Trial);

        var console = await board.BootAsync();

        Assert.Null(console.StartedKernel);
        Assert.Null(console.BootArgs);
        Assert.Contains("nothing safe to boot", console.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_hostile_known_good_record_boots_nothing()
    {
        using var board = UBootTestBoard.Create(Good, Trial);
        await board.RecordKnownGoodAsync($"{Good} init=/bin/sh");

        var console = await board.BootAsync();

        Assert.Null(console.StartedKernel);
        Assert.Null(console.BootArgs);
        Assert.Contains("nothing safe to boot", console.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("au_good=@deploy/2.0 init=/bin/sh")]
    [InlineData("au_good=@deploy/2.0;setenv bootargs init=/bin/sh")]
    [InlineData("au_good=@deploy/2.0\"init=/bin/sh")]
    [InlineData("au_good=/@deploy/2.0")]
    [InlineData("au_good=@deploy/..")]
    [InlineData("au_good=@deploy/.")]
    [InlineData("au_good=@deploy/")]
    [InlineData("au_good=@deploy/2.0/../../x")]
    [InlineData("au_good=@deploy/${bootargs}")]
    [InlineData("au_good=@deploy/2.0", "au_trial=@deploy/2.0 init=/bin/sh", "au_tries=3")]
    [InlineData("au_good=@deploy/2.0", "au_trial=@deploy/2.0", "au_tries=3 init=/bin/sh")]
    [InlineData("au_good=@deploy/2.0", "au_trial=@deploy/2.0", "au_tries=10")]
    [InlineData("au_good=@deploy/2.0", "au_trial=@deploy/2.0", "au_tries=")]
    [InlineData("au_good=@deploy/2.0", "au_trial=@deploy/2.0", "au_tries=-1")]
    public async Task A_hostile_copy_never_reaches_the_command_line_and_known_good_boots(params string[] assignments)
    {
        using var board = UBootTestBoard.Create(Good, Trial);
        await board.WriteEnvironmentAsync(assignments);
        var stored = await board.ReadEnvironmentAsync();
        Assert.All(assignments.Where(a => !a.EndsWith('=')), a => Assert.Equal(a.Split('=', 2)[1], stored[a.Split('=', 2)[0]]));
        await board.RecordKnownGoodAsync(Good);

        var console = await board.BootAsync();

        Assert.Equal(Good, console.StartedKernel);
        Assert.Equal($"{UBootTestBoard.CommandLinePrefix} rootflags=subvol={Good} atomicupdate.entry={Good}", console.CommandLineSeenByKernel);
        Assert.Equal(console.CommandLineSeenByKernel, console.BootArgs);
    }

    [Fact]
    public async Task Names_outside_the_whitelist_in_a_copy_change_nothing()
    {
        using var board = UBootTestBoard.Create(Good, Trial);
        await board.WriteEnvironmentAsync($"au_good={Good}", "bootargs=init=/bin/sh", "au_cmdline=init=/bin/sh",
            "au_boot_kernel=echo hijacked", "au_pool_dev=host 0", "au_re_entry=.*", "au_entry=@deploy/2.0");

        var console = await board.BootAsync();

        Assert.Equal(Good, console.StartedKernel);
        Assert.Equal($"{UBootTestBoard.CommandLinePrefix} rootflags=subvol={Good} atomicupdate.entry={Good}", console.CommandLineSeenByKernel);
    }

    [Theory]
    [InlineData("@deploy/2.0+build~rc-1_x")]
    [InlineData("@deploy/aZ09.-_+~aZ09.-_+~aZ09.-_+~aZ09.-_+~aZ09.-_+~aZ09.-_+~aZ09.-_+~Z")]
    public async Task Every_version_character_and_the_longest_version_are_accepted(string trial)
    {
        Assert.True(BootEntries.IsValid(trial));
        using var board = UBootTestBoard.Create(Good, trial);
        await board.WriteEnvironmentAsync($"au_good={Good}", $"au_trial={trial}", "au_tries=3");

        var console = await board.BootAsync();

        Assert.Equal(trial, console.StartedKernel);
        Assert.Equal(new KernelCommandLine(trial, Rollback: false), console.CommandLine);
    }

    [Fact]
    public async Task A_version_one_character_too_long_is_refused()
    {
        var tooLong = "@deploy/" + new string('7', 65);
        using var board = UBootTestBoard.Create(Good, tooLong);
        await board.WriteEnvironmentAsync($"au_good={Good}", $"au_trial={tooLong}", "au_tries=3");
        await board.RecordKnownGoodAsync(Good);

        var console = await board.BootAsync();

        Assert.Equal(Good, console.StartedKernel);
        Assert.Equal($"{Good} (fallback, environment copy none)", console.Decision);
    }

    private static Dictionary<string, string> Environment(string good, string? trial, string tries)
    {
        var environment = new Dictionary<string, string> { ["au_good"] = good, ["au_tries"] = tries };
        if (trial is not null)
        {
            environment["au_trial"] = trial;
        }
        return environment;
    }
}
