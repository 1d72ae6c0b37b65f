namespace AtomicUpdate.Payload;

/// <summary>
/// The <c>patches</c> object in the custom metadata of a delta whose stream is patched: what the
/// device needs to rebuild the original stream and to trust what it rebuilds.
/// </summary>
/// <param name="ReferenceCap">No patched file's old or new data is larger: the memory a device needs for it.</param>
/// <param name="HeaderSha256">SHA-256 of the patched stream's header, which holds the SHA-256 of every chunk of the original stream; lowercase hex.</param>
public sealed record PayloadPatches(long ReferenceCap, string HeaderSha256);
