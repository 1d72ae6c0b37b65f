using System.Globalization;
using AtomicUpdate.Agent.Service;
using AtomicUpdate.Agent.Systemd;

namespace AtomicUpdate.Agent.Cli;

/// <summary>
/// Shows an install as it runs: on a terminal one line on standard error redrawn in place (phase,
/// bar, bytes, rate, time left); otherwise one plain line on standard output per change of state or
/// phase, so logs stay readable.
/// </summary>
internal sealed class InstallProgressView(TextWriter output, TextWriter terminal, bool isTerminal)
{
    private const int BarWidth = 24;
    private (string State, string? Phase)? _lastStep;
    private bool _lineOpen;

    public void Show(AgentStatus status)
    {
        var step = (status.State, status.Phase);
        if (!isTerminal)
        {
            if (step != _lastStep)
            {
                output.WriteLine(StatusLine.Describe(status));
            }
            _lastStep = step;
            return;
        }
        if (_lastStep is not null && step != _lastStep && _lineOpen)
        {
            // Keep the finished phase's last line on screen; the next phase gets its own.
            terminal.WriteLine();
        }
        _lastStep = step;
        terminal.Write("\r" + Line(status) + "\u001b[K");
        _lineOpen = true;
    }

    /// <summary>Ends the redrawn line so later output starts on its own.</summary>
    public void Finish()
    {
        if (_lineOpen)
        {
            terminal.WriteLine();
            _lineOpen = false;
        }
    }

    internal static string Line(AgentStatus status)
    {
        var label = status.Phase is { Length: > 0 } phase && phase != status.State ? $"{status.State}/{phase}" : status.State;
        if (status.BytesTotal <= 0)
        {
            return status.BytesDone > 0 ? $"{label,-24} {StatusLine.Size(status.BytesDone)}" : label;
        }
        var fraction = Math.Clamp((double)status.BytesDone / status.BytesTotal, 0, 1);
        var filled = (int)(fraction * BarWidth);
        var line = string.Create(CultureInfo.InvariantCulture, $"{label,-24} [{new string('#', filled)}{new string('.', BarWidth - filled)}] {StatusLine.Percent(status.BytesDone, status.BytesTotal),4} {StatusLine.Size(status.BytesDone)}/{StatusLine.Size(status.BytesTotal)}");
        if (status.BytesPerSecond > 0)
        {
            line += $" {StatusLine.Rate(status.BytesPerSecond)}";
        }
        if (status.EstimatedTimeLeft is { } left)
        {
            line += $" ETA {StatusLine.Duration(left)}";
        }
        return line;
    }
}
