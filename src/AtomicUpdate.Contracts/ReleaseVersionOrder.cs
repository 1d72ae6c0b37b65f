using System.Diagnostics.CodeAnalysis;

namespace AtomicUpdate.Contracts;

/// <summary>
/// The order of release versions as the publisher names them (dotted numbers with an optional
/// pre-release tag, ordered like semantic versions), so that the server and the agent agree on
/// what "never a lower version" means.
/// </summary>
/// <remarks>
/// Numbers compare numerically from the left (1.2 &lt; 1.10), a missing number counts as 0, a
/// pre-release sorts before its release (1.0-rc.1 &lt; 1.0) and its tags compare as in SemVer 2.0;
/// versions still equal (1.2 and 1.2.0) are ordered by their number of components.
/// </remarks>
public static class ReleaseVersionOrder
{
    public const int MaxLength = 128;

    /// <summary>Whether <paramref name="text"/> is a release version: <c>N(.N)*(-TAG(.TAG)*)?</c>.</summary>
    public static bool IsValid([NotNullWhen(true)] string? text)
    {
        if (string.IsNullOrEmpty(text) || text.Length > MaxLength)
        {
            return false;
        }

        var (numbers, tags) = Split(text);
        return numbers.All(static n => n.Length > 0 && n.All(char.IsAsciiDigit) && (n.Length == 1 || n[0] != '0'))
            && tags.All(static t => t.Length > 0 && t.All(static c => char.IsAsciiLetterOrDigit(c) || c == '-')
                && !(t.Length > 1 && t[0] == '0' && t.All(char.IsAsciiDigit)));
    }

    /// <summary>
    /// Compares two versions: negative when <paramref name="left"/> is lower, zero when equal,
    /// positive when higher; null when either is not a release version, so they cannot be ordered.
    /// </summary>
    public static int? Compare(string? left, string? right)
    {
        if (!IsValid(left) || !IsValid(right))
        {
            return null;
        }

        var (leftNumbers, leftTags) = Split(left);
        var (rightNumbers, rightTags) = Split(right);
        var count = Math.Max(leftNumbers.Length, rightNumbers.Length);
        for (var i = 0; i < count; i++)
        {
            var order = CompareNumbers(i < leftNumbers.Length ? leftNumbers[i] : "0", i < rightNumbers.Length ? rightNumbers[i] : "0");
            if (order != 0)
            {
                return order;
            }
        }

        var tagOrder = CompareTags(leftTags, rightTags);
        return tagOrder != 0 ? tagOrder : leftNumbers.Length.CompareTo(rightNumbers.Length);
    }

    private static (string[] Numbers, string[] Tags) Split(string text)
    {
        var dash = text.IndexOf('-', StringComparison.Ordinal);
        return dash < 0 ? (text.Split('.'), []) : (text[..dash].Split('.'), text[(dash + 1)..].Split('.'));
    }

    // Digit strings without leading zeros: the longer is larger, so numbers of any size compare without overflow.
    private static int CompareNumbers(string left, string right) =>
        Math.Sign(left.Length != right.Length ? left.Length.CompareTo(right.Length) : string.CompareOrdinal(left, right));

    private static int CompareTags(string[] left, string[] right)
    {
        // A release (no tags) is higher than any of its pre-releases.
        if (left.Length == 0 || right.Length == 0)
        {
            return right.Length.CompareTo(left.Length);
        }

        for (var i = 0; i < Math.Min(left.Length, right.Length); i++)
        {
            var leftNumeric = left[i].All(char.IsAsciiDigit);
            var rightNumeric = right[i].All(char.IsAsciiDigit);
            var order = (leftNumeric, rightNumeric) switch
            {
                (true, true) => CompareNumbers(left[i], right[i]),
                (true, false) => -1,
                (false, true) => 1,
                _ => Math.Sign(string.CompareOrdinal(left[i], right[i])),
            };
            if (order != 0)
            {
                return order;
            }
        }

        return left.Length.CompareTo(right.Length);
    }
}
