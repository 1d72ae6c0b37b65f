using System.CommandLine;
using System.Globalization;

namespace AtomicUpdate.Publisher.RepositoryTools;

/// <summary>
/// Expiry options: a plain number counts in the option's documented unit (days or hours, as the
/// command-line contract says), and a suffix (<c>m</c>, <c>h</c>, <c>d</c>) picks another unit, so
/// tests and unusual schedules need no second option.
/// </summary>
internal static class Durations
{
    public static Option<TimeSpan> Option(string name, string description, TimeSpan unit, double defaultCount)
    {
        var unitName = unit == TimeSpan.FromHours(1) ? "HOURS" : "DAYS";
        return new Option<TimeSpan>(name)
        {
            Description = $"{description} A number of {unitName.ToLowerInvariant()} (default {defaultCount.ToString(CultureInfo.InvariantCulture)}); a suffix m, h or d picks another unit.",
            HelpName = unitName,
            DefaultValueFactory = _ => unit * defaultCount,
            CustomParser = result =>
            {
                var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
                if (TryParse(text, unit, out var value))
                {
                    return value;
                }

                result.AddError($"The value '{text}' of {name} is not a positive duration such as 7, 12h or 30d.");
                return default;
            },
        };
    }

    public static bool TryParse(string text, TimeSpan unit, out TimeSpan value)
    {
        value = default;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        var (number, scale) = text[^1] switch
        {
            'm' => (text[..^1], TimeSpan.FromMinutes(1)),
            'h' => (text[..^1], TimeSpan.FromHours(1)),
            'd' => (text[..^1], TimeSpan.FromDays(1)),
            _ => (text, unit),
        };
        if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var count) || count <= 0 || count > 36_500)
        {
            return false;
        }

        value = scale * count;
        return true;
    }

    /// <summary>Now plus <paramref name="duration"/>, in whole seconds as metadata stores it.</summary>
    public static DateTimeOffset FromNow(TimeSpan duration)
    {
        var time = DateTimeOffset.UtcNow + duration;
        return new DateTimeOffset(time.UtcTicks - (time.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
    }

    public static string Format(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
