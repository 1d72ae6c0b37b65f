namespace AtomicUpdate.EndToEnd.Tests;

/// <summary>The QEMU scenarios share one set of images and run one at a time (each VM wants the CPU).</summary>
[CollectionDefinition(Name)]
public sealed class QemuCollection : ICollectionFixture<GuestImages>
{
    public const string Name = "QEMU";
}
