using System.Globalization;

namespace AtomicUpdate.Publisher.Terminal;

/// <summary>
/// A one-line progress bar on standard error, redrawn in place; silent when standard error is not a
/// terminal, so logs and scripts see only the final output.
/// </summary>
internal sealed class TerminalProgress : IProgress<(string Label, long Done, long Total)>
{
    private const int BarWidth = 28;
    private readonly bool _enabled = !Console.IsErrorRedirected;
    private readonly Lock _lock = new();
    private string _label = string.Empty;

    public void Report((string Label, long Done, long Total) value)
    {
        if (!_enabled)
        {
            return;
        }
        lock (_lock)
        {
            var (label, done, total) = value;
            if (label != _label && _label.Length > 0)
            {
                Console.Error.WriteLine();
            }
            _label = label;
            string line;
            if (total > 0)
            {
                var fraction = Math.Clamp((double)done / total, 0, 1);
                var filled = (int)(fraction * BarWidth);
                line = string.Create(CultureInfo.InvariantCulture, $"{label,-48} [{new string('#', filled)}{new string('.', BarWidth - filled)}] {fraction,4:P0} {Size(done)}/{Size(total)}");
            }
            else
            {
                line = label;
            }
            // Carriage return, the line, then "erase to end of line" so a shorter line leaves no tail.
            Console.Error.Write("\r" + line + "\u001b[K");
        }
    }

    /// <summary>Ends the current line so later output starts on its own; calling it again does nothing.</summary>
    public void Finish()
    {
        lock (_lock)
        {
            if (_enabled && _label.Length > 0)
            {
                Console.Error.WriteLine();
            }
            _label = string.Empty;
        }
    }

    public static string Size(long bytes) => bytes switch
    {
        >= 1L << 30 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):F2} GiB"),
        >= 1L << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):F1} MiB"),
        >= 1L << 10 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 10):F0} KiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
    };
}
