using AtomicUpdate.Agent.Fleet;
using AtomicUpdate.Agent.Tests.Support;
using AtomicUpdate.Contracts;
using Microsoft.Extensions.Logging.Abstractions;

namespace AtomicUpdate.Agent.Tests.Fleet;

/// <summary>The on-disk report queue without a server: numbering, persistence, the size bound.</summary>
public sealed class ReportQueueTests : IDisposable
{
    private readonly TempDirectory _work = new();

    public void Dispose() => _work.Dispose();

    [Fact]
    public void Reports_survive_a_restart_and_sequences_keep_growing_after_everything_was_sent()
    {
        var queue = New();
        Assert.Equal(1, queue.Enqueue(Report("Idle"), isProgress: false).Sequence);
        Assert.Equal(2, queue.Enqueue(Report("Downloading"), isProgress: true).Sequence);
        Assert.Equal(3, queue.Enqueue(Report("Failed"), isProgress: false).Sequence);

        var reloaded = New();
        Assert.Equal(["Idle", "Downloading", "Failed"], reloaded.Peek(100).Select(r => r.State));
        reloaded.MarkSent(2);
        Assert.Equal([3L], reloaded.Peek(100).Select(r => r.Sequence));
        reloaded.MarkSent(3);

        var empty = New();
        Assert.Equal(0, empty.Count);
        Assert.Equal(4, empty.Enqueue(Report("Idle"), isProgress: false).Sequence);
    }

    [Fact]
    public void Past_the_bound_the_oldest_progress_reports_go_and_state_changes_stay()
    {
        var queue = New(capacity: 5);
        queue.Enqueue(Report("Idle"), isProgress: false);
        for (var i = 0; i < 10; i++)
        {
            queue.Enqueue(Report("Downloading", bytes: i), isProgress: true);
        }
        queue.Enqueue(Report("TrialArmed"), isProgress: false);
        queue.Enqueue(Report("Failed"), isProgress: false);

        var left = New(capacity: 5).Peek(100);
        Assert.Equal(["Idle", "Downloading", "Downloading", "TrialArmed", "Failed"], left.Select(r => r.State));
        Assert.Equal([8L, 9], left.Where(r => r.State == "Downloading").Select(r => r.BytesDone!.Value));
        var sequences = left.Select(r => r.Sequence).ToList();
        Assert.Equal(sequences.Order(), sequences);

        // With no progress report left to drop, state changes go past the bound rather than being lost.
        for (var i = 0; i < 5; i++)
        {
            queue.Enqueue(Report("Failed"), isProgress: false);
        }
        Assert.Equal(8, queue.Count);
        Assert.DoesNotContain(queue.Peek(100), r => r.State == "Downloading");
    }

    [Fact]
    public void A_crash_between_marking_and_deleting_leaves_nothing_to_send_twice()
    {
        var queue = New();
        queue.Enqueue(Report("Idle"), isProgress: false);
        queue.Enqueue(Report("Failed"), isProgress: false);
        var first = Directory.GetFiles(_work.Path, "*.state.json").Order().First();
        var copy = File.ReadAllBytes(first);
        queue.MarkSent(1);
        // As if the process died after writing the marker but before deleting the file, with a temp file half written.
        File.WriteAllBytes(first, copy);
        File.WriteAllText(Path.Combine(_work.Path, ".0000000000000000003.state.json.0123.tmp"), "{\"seq");

        var reloaded = New();
        Assert.Equal([2L], reloaded.Peek(100).Select(r => r.Sequence));
        Assert.False(File.Exists(first));
        Assert.Empty(Directory.GetFiles(_work.Path, "*.tmp"));
    }

    [Fact]
    public void Rebase_numbers_waiting_reports_above_the_servers_sequence()
    {
        var queue = New();
        queue.Enqueue(Report("Idle"), isProgress: false);
        queue.Enqueue(Report("Downloading"), isProgress: true);
        queue.Rebase(41);
        Assert.Equal([42L, 43], queue.Peek(100).Select(r => r.Sequence));
        Assert.Equal(["Idle", "Downloading"], New().Peek(100).Select(r => r.State));
        Assert.Equal(44, New().Enqueue(Report("Failed"), isProgress: false).Sequence);
    }

    private ReportQueue New(int capacity = 100) => new(_work.Path, capacity, NullLogger.Instance);

    private static DeviceReport Report(string state, long? bytes = null) =>
        new() { Sequence = 0, Time = DateTimeOffset.UtcNow, State = state, BytesDone = bytes };
}
