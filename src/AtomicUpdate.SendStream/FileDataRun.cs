namespace AtomicUpdate.SendStream;

/// <summary>
/// Consecutive WRITE commands to one file: the unit a binary patch replaces. <see cref="FinalPath"/>
/// is where the file ends up in the received subvolume; <see cref="OriginalPath"/> is where it was in
/// the parent (followed through renames) when the stream changes an existing file in place.
/// </summary>
/// <param name="FirstCommandIndex">Index of the run's first WRITE in the stream.</param>
/// <param name="CommandCount">WRITE commands in the run.</param>
/// <param name="DataBytes">Bytes of file data the run carries.</param>
/// <param name="Created">The stream created the file (MKFILE), as a package upgrade does when it writes a new file and renames it over the old one.</param>
/// <param name="FinalPath">The file's path once the stream is received, or null when the stream removes it again.</param>
/// <param name="OriginalPath">The file's path in the parent subvolume, or null for a file the stream created.</param>
public sealed record FileDataRun(long FirstCommandIndex, int CommandCount, long DataBytes, bool Created, byte[]? FinalPath, byte[]? OriginalPath);
