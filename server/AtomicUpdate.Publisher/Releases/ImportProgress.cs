namespace AtomicUpdate.Publisher.Releases;

/// <summary>
/// One status line on standard error, redrawn in place at most ten times a second; silent when
/// standard error is not a terminal, so scripts and logs see only the summary.
/// </summary>
internal sealed class ImportProgress
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    private readonly bool _enabled = !Console.IsErrorRedirected;
    private readonly Lock _lock = new();
    private DateTime _last = DateTime.MinValue;
    private bool _drawn;

    /// <summary>Shows <paramref name="text"/> now (a new step).</summary>
    public void Step(string text) => Draw(text, force: true);

    /// <summary>Shows <paramref name="text"/> unless a line was drawn less than a tenth of a second ago.</summary>
    public void Update(string text) => Draw(text, force: false);

    /// <summary>Clears the line so the summary starts on a clean one.</summary>
    public void Finish()
    {
        lock (_lock)
        {
            if (_enabled && _drawn)
            {
                Console.Error.Write("\r\u001b[K");
                _drawn = false;
            }
        }
    }

    private void Draw(string text, bool force)
    {
        if (!_enabled)
        {
            return;
        }

        lock (_lock)
        {
            var now = DateTime.UtcNow;
            if (!force && now - _last < Interval)
            {
                return;
            }

            _last = now;
            var width = Math.Max(20, SafeWindowWidth() - 1);
            var line = text.Length > width ? string.Concat(text.AsSpan(0, width - 3), "...") : text;
            Console.Error.Write("\r" + line + "\u001b[K");
            _drawn = true;
        }
    }

    private static int SafeWindowWidth()
    {
        try
        {
            return Console.WindowWidth > 0 ? Console.WindowWidth : 80;
        }
        catch (IOException)
        {
            return 80;
        }
    }
}
