using System.Security.Cryptography;
using System.Text;

namespace AtomicUpdate.Server.Security;

/// <summary>Device tokens and API keys: 256 random bits, shown once, kept only as SHA-256.</summary>
internal static class Tokens
{
    public const string DevicePrefix = "aud_";
    public const string ApiKeyPrefix = "auk_";

    public static string NewSecret(string prefix) =>
        prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>A random id, lowercase hex, for devices, rollouts and keys.</summary>
    public static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));

    /// <summary>Lowercase hex SHA-256 of the secret; a full-entropy secret needs no salt or stretching.</summary>
    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    /// <summary>Compares two secrets in time independent of where they differ.</summary>
    public static bool FixedTimeEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(a)), SHA256.HashData(Encoding.UTF8.GetBytes(b)));

    /// <summary>The bearer credential of a request, or null.</summary>
    public static string? Bearer(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && header.Length > 7 ? header[7..].Trim() : null;
    }
}
