using System.Diagnostics.CodeAnalysis;

namespace AtomicUpdate.Payload;

/// <summary>
/// A release version as release engineers write it and the build pool names subvolumes:
/// dotted numbers with an optional pre-release tag, ordered like semantic versions.
/// </summary>
/// <remarks>
/// <para>Grammar: <c>N(.N)*(-TAG(.TAG)*)?</c>, at most <see cref="MaxLength"/> characters, where N is a
/// decimal number without leading zeros and TAG is <c>[0-9A-Za-z-]+</c>. Examples: <c>7</c>,
/// <c>1.2</c>, <c>2024.11.3</c>, <c>1.0.0-rc.2</c>. There is no <c>+build</c> suffix and no leading
/// <c>v</c>: two spellings of one version would be two subvolume names.</para>
/// <para>Order: the numbers compare numerically from the left (1.2 &lt; 1.10), a missing number
/// counts as 0 (1.2 &lt; 1.2.1); a pre-release sorts before its release (1.0-rc.1 &lt; 1.0) and its
/// tags compare as in SemVer 2.0 (numeric tags numerically and below alphanumeric ones, which
/// compare ordinally; a shorter list of equal tags first). Versions that are still equal (1.2 and
/// 1.2.0) are ordered by their number of components, shorter first, so that the order is total and
/// agrees with <see cref="Equals(ReleaseVersion)"/>, which is equality of the text.</para>
/// <para>The text is safe as a file name: it never starts with '.' or '-' and holds no '/'.</para>
/// </remarks>
public sealed class ReleaseVersion : IComparable<ReleaseVersion>, IEquatable<ReleaseVersion>
{
    /// <summary>Longest version text accepted, far below any file name limit.</summary>
    public const int MaxLength = 128;

    private readonly string[] _numbers;
    private readonly string[] _tags;
    private readonly string _text;

    private ReleaseVersion(string text, string[] numbers, string[] tags)
    {
        _text = text;
        _numbers = numbers;
        _tags = tags;
    }

    /// <summary>True for a pre-release such as <c>1.0-rc.1</c>.</summary>
    public bool IsPreRelease => _tags.Length > 0;

    public static bool operator ==(ReleaseVersion? left, ReleaseVersion? right) => Equals(left, right);

    public static bool operator !=(ReleaseVersion? left, ReleaseVersion? right) => !Equals(left, right);

    public static bool operator <(ReleaseVersion left, ReleaseVersion right) => Compare(left, right) < 0;

    public static bool operator <=(ReleaseVersion left, ReleaseVersion right) => Compare(left, right) <= 0;

    public static bool operator >(ReleaseVersion left, ReleaseVersion right) => Compare(left, right) > 0;

    public static bool operator >=(ReleaseVersion left, ReleaseVersion right) => Compare(left, right) >= 0;

    /// <summary>Parses <paramref name="text"/>, or throws a <see cref="FormatException"/> that says what is wrong with it.</summary>
    public static ReleaseVersion Parse(string text) =>
        TryParse(text, out var version, out var error) ? version : throw new FormatException(error);

    /// <summary>Parses <paramref name="text"/>; false for anything that is not a version.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out ReleaseVersion? version) =>
        TryParse(text, out version, out _);

    /// <summary>Parses <paramref name="text"/>; on failure <paramref name="error"/> is a sentence saying what is wrong.</summary>
    public static bool TryParse(
        [NotNullWhen(true)] string? text,
        [NotNullWhen(true)] out ReleaseVersion? version,
        [NotNullWhen(false)] out string? error)
    {
        version = null;
        error = Check(text);
        if (error is not null)
        {
            return false;
        }

        var dash = text!.IndexOf('-', StringComparison.Ordinal);
        var numbers = (dash < 0 ? text : text[..dash]).Split('.');
        var tags = dash < 0 ? [] : text[(dash + 1)..].Split('.');
        version = new ReleaseVersion(text, numbers, tags);
        return true;
    }

    public static int Compare(ReleaseVersion? left, ReleaseVersion? right) =>
        ReferenceEquals(left, right) ? 0 : left is null ? -1 : left.CompareTo(right);

    public int CompareTo(ReleaseVersion? other)
    {
        if (other is null)
        {
            return 1;
        }

        var count = Math.Max(_numbers.Length, other._numbers.Length);
        for (var i = 0; i < count; i++)
        {
            var order = CompareNumbers(i < _numbers.Length ? _numbers[i] : "0", i < other._numbers.Length ? other._numbers[i] : "0");
            if (order != 0)
            {
                return order;
            }
        }

        var tagOrder = CompareTags(_tags, other._tags);
        return tagOrder != 0 ? tagOrder : _numbers.Length.CompareTo(other._numbers.Length);
    }

    public bool Equals(ReleaseVersion? other) => other is not null && string.Equals(_text, other._text, StringComparison.Ordinal);

    public override bool Equals(object? obj) => obj is ReleaseVersion other && Equals(other);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(_text);

    /// <summary>The version as it was written, which is also its subvolume name.</summary>
    public override string ToString() => _text;

    private static string? Check(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "A release version must not be empty.";
        }

        if (text.Length > MaxLength)
        {
            return $"The release version '{text[..32]}...' is {text.Length} characters long; at most {MaxLength} are allowed.";
        }

        var dash = text.IndexOf('-', StringComparison.Ordinal);
        var numbers = dash < 0 ? text : text[..dash];
        foreach (var number in numbers.Split('.'))
        {
            if (number.Length == 0 || !number.All(char.IsAsciiDigit))
            {
                return $"The release version '{text}' is not valid: it must be dotted numbers such as 1.2 or 2024.11.3, "
                    + "optionally followed by a pre-release tag such as -rc.1.";
            }

            if (number.Length > 1 && number[0] == '0')
            {
                return $"The release version '{text}' is not valid: the number '{number}' has a leading zero.";
            }
        }

        if (dash >= 0)
        {
            foreach (var tag in text[(dash + 1)..].Split('.'))
            {
                if (tag.Length == 0 || !tag.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
                {
                    return $"The release version '{text}' is not valid: its pre-release tag must be dot-separated "
                        + "letters, digits and hyphens, such as rc.1.";
                }

                if (tag.Length > 1 && tag[0] == '0' && tag.All(char.IsAsciiDigit))
                {
                    return $"The release version '{text}' is not valid: the pre-release number '{tag}' has a leading zero.";
                }
            }
        }

        return null;
    }

    // Digit strings without leading zeros: the longer is larger, so numbers of any size compare without overflow.
    private static int CompareNumbers(string left, string right) =>
        left.Length != right.Length ? left.Length.CompareTo(right.Length) : string.CompareOrdinal(left, right);

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
                _ => string.CompareOrdinal(left[i], right[i]),
            };
            if (order != 0)
            {
                return Math.Sign(order);
            }
        }

        return left.Length.CompareTo(right.Length);
    }
}
