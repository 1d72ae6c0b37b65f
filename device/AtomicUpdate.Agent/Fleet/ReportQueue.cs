using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;
using AtomicUpdate.Boot;
using AtomicUpdate.Contracts;
using Microsoft.Extensions.Logging;

namespace AtomicUpdate.Agent.Fleet;

/// <summary>
/// Reports on disk until the server has them: one durable file per report
/// (<c>fleet/reports/&lt;sequence&gt;.state.json</c> or <c>.progress.json</c>) and a marker
/// (<c>fleet/reports/sent.json</c>) naming the highest sequence the server holds. A report is on
/// disk before it is sent; files at or below the marker are leftovers of a crash between writing
/// the marker and deleting them. Sequences only grow, across restarts too. Past
/// <see cref="FleetOptions.MaxQueuedReports"/> the oldest progress reports are dropped; state
/// changes never are.
/// </summary>
internal sealed class ReportQueue
{
    private const string MarkerFileName = "sent.json";
    private const string StateSuffix = ".state.json";
    private const string ProgressSuffix = ".progress.json";

    private readonly string _directory;
    private readonly int _capacity;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly SortedList<long, QueuedReport> _pending = [];
    private readonly Channel<bool> _signal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private long _lastSequence;
    private long _sentUpTo;

    public ReportQueue(string directory, int capacity, ILogger logger)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _directory = directory;
        _capacity = capacity;
        _logger = logger;
        Directory.CreateDirectory(directory);
        Load();
    }

    /// <summary>Reports waiting for the server.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>The highest sequence given to a report so far.</summary>
    public long LastSequence
    {
        get
        {
            lock (_lock)
            {
                return _lastSequence;
            }
        }
    }

    /// <summary>Numbers the report with the next sequence and writes it durably; returns it as it will be sent.</summary>
    public DeviceReport Enqueue(DeviceReport report, bool isProgress)
    {
        lock (_lock)
        {
            var numbered = report with { Sequence = _lastSequence + 1 };
            var path = PathOf(numbered.Sequence, isProgress);
            DurableFile.WriteAllBytes(path, JsonSerializer.SerializeToUtf8Bytes(numbered, ContractsJsonContext.Default.DeviceReport));
            _lastSequence = numbered.Sequence;
            _pending.Add(numbered.Sequence, new QueuedReport(numbered.Sequence, isProgress, path));
            DropOverCapacity();
            _signal.Writer.TryWrite(true);
            return numbered;
        }
    }

    /// <summary>The oldest waiting reports, in sequence order.</summary>
    public IReadOnlyList<DeviceReport> Peek(int max)
    {
        List<QueuedReport> entries;
        lock (_lock)
        {
            entries = [.. _pending.Values.Take(max)];
        }
        var reports = new List<DeviceReport>(entries.Count);
        foreach (var entry in entries)
        {
            try
            {
                reports.Add(JsonSerializer.Deserialize(File.ReadAllBytes(entry.Path), ContractsJsonContext.Default.DeviceReport)
                    ?? throw new JsonException("The file holds null."));
            }
            catch (FileNotFoundException)
            {
                // Dropped for capacity since the list was taken.
            }
            catch (JsonException exception)
            {
                // Written by rename after fsync, so only a broken disk gets here; one lost report must not block the rest.
                FleetLog.ReportUnreadable(_logger, entry.Path, exception.Message);
                Remove(entry.Sequence);
            }
        }
        return reports;
    }

    /// <summary>The server holds every report up to <paramref name="sequence"/>: records that, then deletes their files.</summary>
    public void MarkSent(long sequence)
    {
        lock (_lock)
        {
            WriteMarker(Math.Max(sequence, _sentUpTo));
            while (_pending.Count > 0 && _pending.Keys[0] <= sequence)
            {
                Remove(_pending.Keys[0]);
            }
        }
    }

    /// <summary>
    /// The server already holds sequences up to <paramref name="serverLast"/> from an earlier life
    /// of this device (re-flashed, state lost, same serial): renumbers every waiting report above
    /// it, so the server stores them and takes them as the device's newest state.
    /// </summary>
    public void Rebase(long serverLast)
    {
        lock (_lock)
        {
            var first = Math.Max(serverLast, _lastSequence) + 1;
            var old = _pending.Values.ToList();
            _pending.Clear();
            var next = first;
            foreach (var entry in old)
            {
                DeviceReport? report;
                try
                {
                    report = JsonSerializer.Deserialize(File.ReadAllBytes(entry.Path), ContractsJsonContext.Default.DeviceReport);
                }
                catch (Exception exception) when (exception is IOException or JsonException)
                {
                    report = null;
                }
                if (report is null)
                {
                    continue;
                }
                var path = PathOf(next, entry.IsProgress);
                DurableFile.WriteAllBytes(path, JsonSerializer.SerializeToUtf8Bytes(report with { Sequence = next }, ContractsJsonContext.Default.DeviceReport));
                _pending.Add(next, new QueuedReport(next, entry.IsProgress, path));
                next++;
            }
            // New files first, then the marker below them, then the old files go: a crash at any point loses nothing.
            _lastSequence = next - 1;
            WriteMarker(first - 1);
            foreach (var entry in old)
            {
                File.Delete(entry.Path);
            }
            FleetLog.ReportsRenumbered(_logger, old.Count, serverLast, first);
        }
    }

    /// <summary>Waits until at least one report is waiting.</summary>
    public async Task WaitForReportsAsync(CancellationToken cancellationToken)
    {
        while (Count == 0)
        {
            await _signal.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private void Load()
    {
        var marker = ReadMarker();
        _sentUpTo = marker;
        _lastSequence = marker;
        foreach (var path in Directory.EnumerateFiles(_directory))
        {
            var name = Path.GetFileName(path);
            if (name.StartsWith('.') && name.EndsWith(".tmp", StringComparison.Ordinal))
            {
                // A write cut short by a crash; its report was never enqueued.
                File.Delete(path);
                continue;
            }
            var isProgress = name.EndsWith(ProgressSuffix, StringComparison.Ordinal);
            if (!isProgress && !name.EndsWith(StateSuffix, StringComparison.Ordinal))
            {
                continue;
            }
            if (!long.TryParse(name.AsSpan(0, name.IndexOf('.', StringComparison.Ordinal)), NumberStyles.None, CultureInfo.InvariantCulture, out var sequence))
            {
                continue;
            }
            if (sequence <= marker || _pending.ContainsKey(sequence))
            {
                File.Delete(path);
                continue;
            }
            _pending.Add(sequence, new QueuedReport(sequence, isProgress, path));
            _lastSequence = Math.Max(_lastSequence, sequence);
        }
        DropOverCapacity();
        if (_pending.Count > 0)
        {
            FleetLog.QueueLoaded(_logger, _pending.Count, _pending.Keys[0], _lastSequence);
        }
    }

    private void DropOverCapacity()
    {
        if (_pending.Count <= _capacity)
        {
            return;
        }
        var droppable = _pending.Values.Where(entry => entry.IsProgress).Take(_pending.Count - _capacity).ToList();
        foreach (var entry in droppable)
        {
            Remove(entry.Sequence);
        }
        if (droppable.Count > 0)
        {
            FleetLog.ProgressReportsDropped(_logger, droppable.Count, _capacity);
        }
    }

    private void Remove(long sequence)
    {
        lock (_lock)
        {
            if (_pending.Remove(sequence, out var entry))
            {
                File.Delete(entry.Path);
            }
        }
    }

    private long ReadMarker()
    {
        var path = Path.Combine(_directory, MarkerFileName);
        try
        {
            return File.Exists(path) ? JsonSerializer.Deserialize(File.ReadAllBytes(path), FleetJsonContext.Default.ReportQueueMarker)?.SentUpTo ?? 0 : 0;
        }
        catch (JsonException exception)
        {
            FleetLog.ReportUnreadable(_logger, path, exception.Message);
            return 0;
        }
    }

    private void WriteMarker(long sentUpTo)
    {
        DurableFile.WriteAllBytes(Path.Combine(_directory, MarkerFileName), JsonSerializer.SerializeToUtf8Bytes(new ReportQueueMarker(sentUpTo), FleetJsonContext.Default.ReportQueueMarker));
        _sentUpTo = sentUpTo;
    }

    private string PathOf(long sequence, bool isProgress) =>
        Path.Combine(_directory, sequence.ToString("D19", CultureInfo.InvariantCulture) + (isProgress ? ProgressSuffix : StateSuffix));
}
