namespace AtomicUpdate.SendStream;

internal enum EntryKind
{
    None,
    File,
    Directory,
}
