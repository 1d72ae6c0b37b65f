namespace AtomicUpdate.Boot;

/// <summary>
/// The whitelisted environment variables shared with the boot scripts (bootloader/README.md) and
/// the shape each value must have before anything trusts it.
/// </summary>
internal static class BootVariables
{
    public const string Good = "au_good";
    public const string Trial = "au_trial";
    public const string Tries = "au_tries";

    /// <summary>GRUB only: the write counter that decides which of the two copies is newer.</summary>
    public const string Sequence = "au_seq";

    public const long MaxSequence = 999_999_999;

    /// <summary>One digit, as the scripts count without arithmetic.</summary>
    public static int? ParseTries(string? value) =>
        value is [>= '0' and <= '9'] ? value[0] - '0' : null;

    /// <summary>Decimal, 1–9 digits.</summary>
    public static long? ParseSequence(string? value) =>
        value is { Length: >= 1 and <= 9 } && value.All(char.IsAsciiDigit) ? long.Parse(value, System.Globalization.CultureInfo.InvariantCulture) : null;

    public static string FormatTries(int tries) => ((char)('0' + tries)).ToString();

    /// <summary>Throws the backend's error for an entry that is not <c>@deploy/&lt;version&gt;</c>.</summary>
    public static void CheckEntry(string backend, string entry)
    {
        if (!BootEntries.IsValid(entry))
        {
            throw new BootControlException(backend, $"'{entry}' is not a valid boot entry (expected {BootEntries.DeployDirectory}/<version>, version of 1-64 characters A-Z a-z 0-9 . _ + ~ -).");
        }
    }

    public static void CheckTries(int tries)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(tries, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(tries, 9);
    }
}
