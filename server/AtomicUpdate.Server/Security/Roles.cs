using System.Diagnostics.CodeAnalysis;

namespace AtomicUpdate.Server.Security;

/// <summary>The roles' names as the API and the CLI spell them.</summary>
internal static class Roles
{
    public static string Name(Role role) => role switch
    {
        Role.Viewer => "viewer",
        Role.ReleaseEngineer => "release-engineer",
        Role.Admin => "admin",
        _ => throw new ArgumentOutOfRangeException(nameof(role)),
    };

    public static bool TryParse([NotNullWhen(true)] string? text, out Role role)
    {
        role = text switch
        {
            "viewer" => Role.Viewer,
            "release-engineer" => Role.ReleaseEngineer,
            "admin" => Role.Admin,
            _ => 0,
        };
        return role != 0;
    }
}
