namespace AtomicUpdate.Server.Security;

/// <summary>The device a request's token belongs to.</summary>
internal sealed record DeviceIdentity(string Id);
