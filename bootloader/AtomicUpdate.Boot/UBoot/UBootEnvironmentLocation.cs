namespace AtomicUpdate.Boot.UBoot;

/// <summary>One environment copy as fw_env.config places it: a device or file, the byte offset in it, and the environment size.</summary>
internal sealed record UBootEnvironmentLocation(string Device, long Offset, int Size);
