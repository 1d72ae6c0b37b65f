namespace AtomicUpdate.Server.Security;

/// <summary>Operator roles, each including the rights of the ones before it.</summary>
internal enum Role
{
    Viewer = 1,
    ReleaseEngineer = 2,
    Admin = 3,
}
