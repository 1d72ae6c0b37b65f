namespace AtomicUpdate.SendStream;

/// <summary>What the validator remembers of a path: whether the stream made it a symlink.</summary>
internal sealed class SymlinkMark
{
    public bool IsSymlink { get; set; }
}
