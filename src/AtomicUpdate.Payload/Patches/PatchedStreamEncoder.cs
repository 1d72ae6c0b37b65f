using System.Buffers.Binary;
using System.Security.Cryptography;
using AtomicUpdate.Payload.Zstd;
using AtomicUpdate.SendStream;
using static AtomicUpdate.Payload.Patches.PatchedStreamFormat;

namespace AtomicUpdate.Payload.Patches;

/// <summary>
/// Turns a send stream into a patched stream: the data of each file that has an old version in the
/// parent release (the same path, or where a renamed file came from) becomes a zstd patch against
/// that old file when the patch is smaller than the data compressed alone (for executables and
/// libraries a bsdiff patch when that is smaller still); everything else is copied.
/// The header carries the SHA-256 of every chunk of the original stream, so the device can check what
/// it rebuilds before a byte of it reaches <c>btrfs receive</c>. Memory: the old and new data of one
/// file, each at most the reference cap.
/// </summary>
public static class PatchedStreamEncoder
{
    /// <param name="streamFile">The original send stream; it is read three times.</param>
    /// <param name="parentRoot">The parent release the stream was made against, as a directory.</param>
    /// <param name="output">Where the patched stream goes.</param>
    /// <param name="options">Reference cap, zstd level, chunk size.</param>
    /// <param name="cancellationToken">Stops the encoding.</param>
    public static async Task<PatchStatistics> EncodeAsync(
        string streamFile,
        string parentRoot,
        Stream output,
        PatchEncoderOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(streamFile);
        ArgumentNullException.ThrowIfNull(parentRoot);
        ArgumentNullException.ThrowIfNull(output);
        options ??= PatchEncoderOptions.Default;
        options.Validate();

        var header = await HashChunksAsync(streamFile, options, cancellationToken).ConfigureAwait(false);
        var (plans, overCap) = await PlanAsync(streamFile, parentRoot, options, cancellationToken).ConfigureAwait(false);

        var records = new PatchedStreamRecords(output);
        await records.WriteAsync(header, cancellationToken).ConfigureAwait(false);
        if (options.BaseFileList)
        {
            await records.WriteAsync(BaseFileListRecord(plans), cancellationToken).ConfigureAwait(false);
        }
        var statistics = new PatchStatistics
        {
            Candidates = plans.Count,
            OverCap = overCap,
            HeaderSha256 = Convert.ToHexStringLower(SHA256.HashData(header)),
            ReferenceCap = options.ReferenceCap,
        };
        await using (var input = OpenRead(streamFile))
        using (var reader = new SendStreamReader(input, leaveOpen: true))
        {
            await reader.ReadHeaderAsync(cancellationToken).ConfigureAwait(false);
            await records.CopyAsync(reader.RawHeader, cancellationToken).ConfigureAwait(false);
            while (await reader.ReadCommandAsync(cancellationToken).ConfigureAwait(false) is { } command)
            {
                if (plans.TryGetValue(command.Index, out var plan))
                {
                    statistics = await EncodeRunAsync(reader, command, plan, records, options, statistics, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await records.CopyAsync(command.RawBytes, cancellationToken).ConfigureAwait(false);
                }
            }
            await records.CompleteAsync(cancellationToken).ConfigureAwait(false);
            return statistics with { StreamBytes = reader.BytesRead, PatchedStreamBytes = records.Written };
        }
    }

    /// <summary>The patched stream's header: sizes, cap and the SHA-256 of every chunk of the original stream.</summary>
    private static async Task<byte[]> HashChunksAsync(string streamFile, PatchEncoderOptions options, CancellationToken cancellationToken)
    {
        var length = new FileInfo(streamFile).Length;
        var count = (length + options.ChunkSize - 1) / options.ChunkSize;
        if (count > MaxChunkCount)
        {
            throw new PayloadException($"The stream needs {count} chunks of {options.ChunkSize} bytes, but at most {MaxChunkCount} are allowed; use a larger chunk size.");
        }
        var header = new byte[FixedLength + (count * HashLength)];
        Magic.CopyTo(header);
        // Without BSDIFF and BASES records the stream stays version 1, which agents from before them read too.
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(VersionOffset), options.Bsdiff || options.BaseFileList ? CurrentVersion : FirstVersion);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(ChunkSizeOffset), (uint)options.ChunkSize);
        BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(StreamSizeOffset), (ulong)length);
        BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(ReferenceCapOffset), (ulong)options.ReferenceCap);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(ChunkCountOffset), (uint)count);
        var buffer = new byte[options.ChunkSize];
        await using var input = OpenRead(streamFile);
        for (var index = 0; index < count; index++)
        {
            var read = await input.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            SHA256.HashData(buffer.AsSpan(0, read), header.AsSpan(FixedLength + (index * HashLength), HashLength));
        }
        return header;
    }

    /// <summary>
    /// The BASES record: every base file a patch may read, in the order of the stream, so the device can
    /// read them into its page cache ahead of the patches (a cold base release otherwise costs one
    /// disk wait per file on the rebuild's critical path).
    /// </summary>
    private static byte[] BaseFileListRecord(Dictionary<long, RunPlan> plans)
    {
        using var record = new MemoryStream();
        var paths = plans.OrderBy(plan => plan.Key).Select(plan => plan.Value.ReferencePath).ToList();
        Span<byte> field = stackalloc byte[4];
        record.WriteByte(BaseFilesRecord);
        BinaryPrimitives.WriteUInt32LittleEndian(field, (uint)paths.Count);
        record.Write(field);
        foreach (var path in paths)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(field, (ushort)path.Length);
            record.Write(field[..2]);
            record.Write(path);
        }
        return record.ToArray();
    }

    /// <summary>The runs of file data worth trying, by the index of their first WRITE, with the old file each is patched against.</summary>
    private static async Task<(Dictionary<long, RunPlan> Plans, int OverCap)> PlanAsync(
        string streamFile, string parentRoot, PatchEncoderOptions options, CancellationToken cancellationToken)
    {
        IReadOnlyList<FileDataRun> runs;
        await using (var input = OpenRead(streamFile))
        using (var reader = new SendStreamReader(input, leaveOpen: true))
        {
            runs = await FileDataRuns.CollectAsync(reader, cancellationToken).ConfigureAwait(false);
        }
        var plans = new Dictionary<long, RunPlan>();
        var overCap = 0;
        foreach (var run in runs)
        {
            // A file changed in place is patched against where it was; a new file against what it replaced.
            var reference = run.Created ? run.FinalPath : run.OriginalPath;
            if (reference is null)
            {
                continue;
            }
            var path = BaseFiles.Resolve(parentRoot, reference, out var problem);
            if (problem is not null)
            {
                continue;
            }
            var referenceLength = new FileInfo(path).Length;
            if (referenceLength == 0)
            {
                continue;
            }
            if (referenceLength > options.ReferenceCap || run.DataBytes > options.ReferenceCap)
            {
                overCap++;
                continue;
            }
            plans[run.FirstCommandIndex] = new RunPlan(run, reference, path, referenceLength);
        }
        return (plans, overCap);
    }

    /// <summary>Reads the run's WRITE commands and emits them as one patch and their data-less commands, or copies them when the patch does not pay.</summary>
    private static async Task<PatchStatistics> EncodeRunAsync(
        SendStreamReader reader,
        SendCommand first,
        RunPlan plan,
        PatchedStreamRecords records,
        PatchEncoderOptions options,
        PatchStatistics statistics,
        CancellationToken cancellationToken)
    {
        var data = GC.AllocateUninitializedArray<byte>((int)plan.Run.DataBytes);
        var commands = new List<(byte[] Stripped, int DataOffset, int DataLength)>(plan.Run.CommandCount);
        var filled = 0;
        var command = first;
        for (var i = 0; i < plan.Run.CommandCount; i++)
        {
            if (i > 0)
            {
                command = await reader.ReadCommandAsync(cancellationToken).ConfigureAwait(false)
                    ?? throw new InvalidDataException("The send stream ended inside a run of WRITE commands it had the first time.");
            }
            var raw = command.RawBytes.Span;
            var value = command.Get(SendAttributeType.Data).Span;
            if (command.Type != SendCommandType.Write || !raw.Overlaps(value, out var offset))
            {
                throw new InvalidDataException($"Command #{command.Index} is not the WRITE the first reading of the stream found there.");
            }
            value.CopyTo(data.AsSpan(filled));
            filled += value.Length;
            commands.Add(([.. raw[..offset], .. raw[(offset + value.Length)..]], offset, value.Length));
        }

        var reference = BaseFiles.Read(plan.FullPath, plan.ReferenceLength);
        var alone = ZstdPatch.Compress([], data, options.CompressionLevel).Length;
        var patch = ZstdPatch.Compress(reference, data, options.CompressionLevel);
        var record = PatchRecordHeader(PatchRecord, plan.ReferencePath, reference.Length, data.Length, [], patch.Length);
        var method = PatchMethod.Zstd;
        if ((options.Bsdiff ? BsdiffPatch(plan, reference, data, options) : null) is { } bsdiff && bsdiff.Record.Length + bsdiff.Patch.Length < record.Length + patch.Length)
        {
            (record, patch, method) = (bsdiff.Record, bsdiff.Patch, PatchMethod.Bsdiff);
        }
        if (record.Length + patch.Length + (commands.Count * 13) >= alone)
        {
            var at = 0;
            foreach (var (stripped, dataOffset, dataLength) in commands)
            {
                await records.CopyAsync(Rejoin(stripped, dataOffset, data.AsMemory(at, dataLength)), cancellationToken).ConfigureAwait(false);
                at += dataLength;
            }
            return statistics;
        }

        await records.WriteAsync(record, cancellationToken).ConfigureAwait(false);
        await records.WriteAsync(patch, cancellationToken).ConfigureAwait(false);

        var writeHeader = new byte[13];
        writeHeader[0] = WriteRecord;
        foreach (var (stripped, dataOffset, dataLength) in commands)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(writeHeader.AsSpan(1), (uint)(stripped.Length + dataLength));
            BinaryPrimitives.WriteUInt32LittleEndian(writeHeader.AsSpan(5), (uint)dataOffset);
            BinaryPrimitives.WriteUInt32LittleEndian(writeHeader.AsSpan(9), (uint)dataLength);
            await records.WriteAsync(writeHeader, cancellationToken).ConfigureAwait(false);
            await records.WriteAsync(stripped, cancellationToken).ConfigureAwait(false);
        }
        var cost = record.Length + patch.Length;
        return method == PatchMethod.Bsdiff
            ? statistics with { Bsdiff = statistics.Bsdiff.Add(data.Length, cost, alone) }
            : statistics with { Zstd = statistics.Zstd.Add(data.Length, cost, alone) };
    }

    /// <summary>
    /// A BSDIFF record and its patch when old and new data are both ELF files (executables, shared
    /// libraries), whose recompiled code bsdiff's approximate matches suit; null otherwise. Old and
    /// new data together, and the patch's decoded streams, stay within the reference cap, so the
    /// device holds no more than twice it.
    /// </summary>
    private static (byte[] Record, byte[] Patch)? BsdiffPatch(RunPlan plan, byte[] reference, byte[] data, PatchEncoderOptions options)
    {
        if (!reference.AsSpan().StartsWith(ElfMagic) || !data.AsSpan().StartsWith(ElfMagic) || reference.LongLength + data.LongLength > options.ReferenceCap)
        {
            return null;
        }
        var (control, difference, extra) = Bsdiff.Diff(reference, data);
        if (control.LongLength + difference.LongLength + extra.LongLength > options.ReferenceCap)
        {
            return null;
        }
        var patch = ZstdPatch.Compress([], [.. control, .. difference, .. extra], options.CompressionLevel);
        var fields = new byte[16];
        BinaryPrimitives.WriteUInt32LittleEndian(fields, (uint)control.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(fields.AsSpan(4), (uint)difference.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(fields.AsSpan(8), (uint)extra.Length);
        // bsdiff adds differences to whatever base it gets: the CRC-32 names a modified base file on the device.
        BinaryPrimitives.WriteUInt32LittleEndian(fields.AsSpan(12), Crc32.Compute(data));
        return (PatchRecordHeader(BsdiffRecord, plan.ReferencePath, reference.Length, data.Length, fields, patch.Length), patch);
    }

    /// <summary>The fields of a PATCH or BSDIFF record before its patch: type, base file path and length, data length, the method's own fields, patch length.</summary>
    private static byte[] PatchRecordHeader(byte type, byte[] referencePath, long referenceLength, int dataLength, ReadOnlySpan<byte> methodFields, int patchLength)
    {
        var header = new byte[1 + 2 + referencePath.Length + 8 + 4 + methodFields.Length + 4];
        var span = header.AsSpan();
        span[0] = type;
        BinaryPrimitives.WriteUInt16LittleEndian(span[1..], (ushort)referencePath.Length);
        referencePath.CopyTo(span[3..]);
        var position = 3 + referencePath.Length;
        BinaryPrimitives.WriteUInt64LittleEndian(span[position..], (ulong)referenceLength);
        BinaryPrimitives.WriteUInt32LittleEndian(span[(position + 8)..], (uint)dataLength);
        methodFields.CopyTo(span[(position + 12)..]);
        BinaryPrimitives.WriteUInt32LittleEndian(span[(position + 12 + methodFields.Length)..], (uint)patchLength);
        return header;
    }

    private static byte[] Rejoin(byte[] stripped, int dataOffset, ReadOnlyMemory<byte> data) =>
        [.. stripped.AsSpan(0, dataOffset), .. data.Span, .. stripped.AsSpan(dataOffset)];

    private static FileStream OpenRead(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan | FileOptions.Asynchronous);

    private static ReadOnlySpan<byte> ElfMagic => "\u007fELF"u8;

    private sealed record RunPlan(FileDataRun Run, byte[] ReferencePath, string FullPath, long ReferenceLength);
}
