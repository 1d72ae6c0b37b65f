using AtomicUpdate.Contracts;

namespace AtomicUpdate.Server.Endpoints;

/// <summary>Release versions in release order; names that are not versions sort before them, ordinally.</summary>
internal sealed class VersionComparer : IComparer<string>
{
    public static VersionComparer Instance { get; } = new();

    public int Compare(string? x, string? y) =>
        ReleaseVersionOrder.Compare(x, y) ?? (ReleaseVersionOrder.IsValid(x), ReleaseVersionOrder.IsValid(y)) switch
        {
            (true, false) => 1,
            (false, true) => -1,
            _ => string.CompareOrdinal(x, y),
        };
}
