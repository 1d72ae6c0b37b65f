namespace AtomicUpdate.Payload;

/// <summary>
/// Names of the update repository's targets, shared by the publisher and the agent:
/// <c>releases/&lt;version&gt;/full.payload</c>, <c>releases/&lt;version&gt;/delta-from-&lt;base&gt;.payload</c>
/// and <c>channels/&lt;channel&gt;.json</c>. Patched deltas live apart, in
/// <c>patches/&lt;version&gt;/delta-from-&lt;base&gt;.payload</c>, where agents that cannot rebuild them never look.
/// </summary>
public static class UpdateTargetNames
{
    public const string ReleasesDirectory = "releases";
    public const string ChannelsDirectory = "channels";
    public const string PatchesDirectory = "patches";

    public static string Full(string version) => $"{ReleasesDirectory}/{Checked(version, nameof(version))}/full.payload";

    public static string Delta(string baseVersion, string version) =>
        $"{ReleasesDirectory}/{Checked(version, nameof(version))}/delta-from-{Checked(baseVersion, nameof(baseVersion))}.payload";

    public static string PatchedDelta(string baseVersion, string version) =>
        $"{PatchesDirectory}/{Checked(version, nameof(version))}/delta-from-{Checked(baseVersion, nameof(baseVersion))}.payload";

    public static string Channel(string channel) => $"{ChannelsDirectory}/{Checked(channel, nameof(channel))}.json";

    /// <summary>The rule of <see cref="IsValidName"/>, for error messages.</summary>
    public const string NameRule = "use 1 to 64 ASCII letters, digits and . - _ + ~, not starting with . or -";

    /// <summary>Versions and channels become path components, so they are limited to a safe alphabet.</summary>
    public static bool IsValidName(string name) =>
        name.Length is > 0 and <= 64
        && name[0] is not ('.' or '-')
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or '+' or '~');

    private static string Checked(string name, string what) =>
        IsValidName(name)
            ? name
            : throw new ArgumentException($"The {what} '{name}' is not valid: {NameRule}.", what);
}
