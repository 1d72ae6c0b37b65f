using System.CommandLine;

namespace AtomicUpdate.Publisher.RepositoryTools;

/// <summary><c>--expires-targets</c>, <c>--expires-snapshot</c> and <c>--expires-timestamp</c> of the commands that re-sign a repository.</summary>
internal sealed class ExpiryOptions
{
    private readonly Option<TimeSpan> _targets = Durations.Option("--expires-targets", "How long the re-signed targets metadata is valid.", TimeSpan.FromDays(1), RoleExpiries.DefaultTargets.TotalDays);
    private readonly Option<TimeSpan> _snapshot = Durations.Option("--expires-snapshot", "How long the re-signed snapshot metadata is valid.", TimeSpan.FromDays(1), RoleExpiries.DefaultSnapshot.TotalDays);
    private readonly Option<TimeSpan> _timestamp = Durations.Option("--expires-timestamp", "How long the re-signed timestamp metadata is valid.", TimeSpan.FromDays(1), RoleExpiries.DefaultTimestamp.TotalDays);

    public static ExpiryOptions AddTo(Command command)
    {
        var options = new ExpiryOptions();
        command.Options.Add(options._targets);
        command.Options.Add(options._snapshot);
        command.Options.Add(options._timestamp);
        return options;
    }

    public RoleExpiries Read(ParseResult result) => new(result.GetValue(_targets), result.GetValue(_snapshot), result.GetValue(_timestamp));
}
