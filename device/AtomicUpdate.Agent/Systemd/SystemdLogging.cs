using Microsoft.Extensions.Logging;

namespace AtomicUpdate.Agent.Systemd;

/// <summary>
/// Console logging in the form the journal reads: under systemd each line starts with a
/// <c>&lt;N&gt;</c> syslog priority prefix (the built-in systemd formatter); on a terminal, a short
/// single line with a time stamp.
/// </summary>
internal static class SystemdLogging
{
    /// <summary>Whether standard output goes to the journal (systemd sets JOURNAL_STREAM, and INVOCATION_ID for every service).</summary>
    public static bool IsUnderSystemd(Func<string, string?> environment) =>
        !string.IsNullOrEmpty(environment("JOURNAL_STREAM")) || !string.IsNullOrEmpty(environment("INVOCATION_ID"));

    public static ILoggingBuilder AddAgentConsole(this ILoggingBuilder logging, Func<string, string?> environment, LogLevel minimumLevel)
    {
        logging.ClearProviders();
        logging.SetMinimumLevel(minimumLevel);
        // Kestrel and the host narrate every connection and start-up step at Information.
        logging.AddFilter("Microsoft", LogLevel.Warning);
        if (IsUnderSystemd(environment))
        {
            // The journal time-stamps each line itself.
            logging.AddSystemdConsole(options => options.IncludeScopes = false);
        }
        else
        {
            logging.AddSimpleConsole(options =>
            {
                options.SingleLine = true;
                options.TimestampFormat = "HH:mm:ss ";
            });
        }
        return logging;
    }
}
