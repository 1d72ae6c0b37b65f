using AtomicUpdate.Payload;
using AtomicUpdate.Trust;

namespace AtomicUpdate.Publisher.Publishing;

/// <summary>The signed channel files (<c>channels/&lt;channel&gt;.json</c>) of a repository, as devices read them.</summary>
internal static class ChannelFiles
{
    public static ChannelTarget? Read(Repository repository, string channel)
    {
        var name = UpdateTargetNames.Channel(channel);
        return repository.Targets.Signed.Targets.TryGetValue(name, out var target) ? Read(repository, target) : null;
    }

    /// <summary>Every channel of the repository, by name.</summary>
    public static IEnumerable<ChannelTarget> ReadAll(Repository repository) =>
        repository.Targets.Signed.Targets.Values
            .Where(target => target.Name.StartsWith(UpdateTargetNames.ChannelsDirectory + "/", StringComparison.Ordinal))
            .OrderBy(target => target.Name, StringComparer.Ordinal)
            .Select(target => Read(repository, target));

    private static ChannelTarget Read(Repository repository, TargetFile target)
    {
        var path = Path.Combine(repository.Directory, RepositoryLayout.TargetPath(target, repository.Root.Signed.ConsistentSnapshot));
        return ChannelTarget.FromBytes(target.Name, File.ReadAllBytes(path));
    }
}
