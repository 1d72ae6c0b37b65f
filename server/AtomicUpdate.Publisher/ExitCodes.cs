namespace AtomicUpdate.Publisher;

/// <summary>Exit codes scripts can rely on.</summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The input is malformed or refused (a bad stream, a bad signature).</summary>
    public const int InvalidInput = 1;

    /// <summary>Command-line usage error (System.CommandLine's own code for parse errors is 1 too; this is for ours).</summary>
    public const int Usage = 2;

    /// <summary>A file could not be read or written.</summary>
    public const int IoError = 3;
}
