using System.Diagnostics.CodeAnalysis;
using AtomicUpdate.Payload;

namespace AtomicUpdate.Contracts;

/// <summary>
/// Release versions as the device API compares them: the one rule of <see cref="ReleaseVersion"/>
/// that names pool releases and payload targets, so server, agent and publisher agree on "newer".
/// </summary>
public static class ReleaseVersionOrder
{
    public const int MaxLength = ReleaseVersion.MaxLength;

    public static bool IsValid([NotNullWhen(true)] string? text) => ReleaseVersion.TryParse(text, out _);

    /// <summary>The sign of left − right, or null when either is not a valid version.</summary>
    public static int? Compare(string? left, string? right) =>
        ReleaseVersion.TryParse(left, out var l) && ReleaseVersion.TryParse(right, out var r) ? Math.Sign(l.CompareTo(r)) : null;
}
