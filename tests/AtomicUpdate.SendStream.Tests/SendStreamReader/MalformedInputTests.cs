using System.Buffers.Binary;


namespace AtomicUpdate.SendStream.Tests;

public sealed class MalformedInputTests
{
    public static TheoryData<int, bool> VersionsAndModes() => new() { { 1, false }, { 1, true }, { 2, false }, { 2, true }, { 3, false }, { 3, true } };

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Empty_input_is_refused(bool async)
    {
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => StreamActions.ReadAllAsync([], async));
        Assert.Contains("empty", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Wrong_magic_is_refused(bool async)
    {
        var stream = TestStreams.Sample(1);
        stream[3] ^= 0x20;
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => StreamActions.ReadAllAsync(stream, async));
        Assert.Contains("not a btrfs send stream", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(4u)]
    [InlineData(uint.MaxValue)]
    public async Task Unsupported_versions_are_refused(uint version)
    {
        var stream = TestStreams.Sample(1);
        BinaryPrimitives.WriteUInt32LittleEndian(stream.AsSpan(13), version);
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => StreamActions.ReadAllAsync(stream, async: true));
        Assert.Contains($"protocol version {version}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_version_above_the_configured_maximum_is_refused()
    {
        var stream = TestStreams.Sample(2);
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => StreamActions.ReadAllAsync(stream, true, new SendStreamReaderOptions { MaxVersion = 1 }));
        Assert.Contains("versions 1 to 1", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(VersionsAndModes))]
    public async Task Every_truncation_is_refused(int version, bool async)
    {
        var stream = TestStreams.Sample(version);
        var boundaries = TestStreams.CommandBoundaries(stream);
        for (var length = 0; length < stream.Length; length++)
        {
            var error = await Assert.ThrowsAsync<InvalidDataException>(() => StreamActions.ReadAllAsync(stream[..length], async));
            if (boundaries.Contains(length))
            {
                Assert.Contains("without an END command", error.Message, StringComparison.Ordinal);
            }
            else if (length >= 17)
            {
                Assert.Contains("truncated", error.Message, StringComparison.Ordinal);
            }
        }
    }

    [Theory]
    [MemberData(nameof(VersionsAndModes))]
    public async Task Every_flipped_bit_in_a_command_is_refused(int version, bool async)
    {
        var original = TestStreams.Sample(version);
        for (var bit = 17 * 8; bit < original.Length * 8; bit++)
        {
            var stream = (byte[])original.Clone();
            stream[bit / 8] ^= (byte)(1 << (bit % 8));
            await Assert.ThrowsAsync<InvalidDataException>(() => StreamActions.ReadAllAsync(stream, async));
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_bad_crc_names_the_command_and_both_values(bool async)
    {
        var stream = TestStreams.Sample(1);
        var second = TestStreams.CommandBoundaries(stream)[1];
        stream[second + 6] ^= 0xff;
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => StreamActions.ReadAllAsync(stream, async));
        Assert.Contains($"Command #1 (MKDIR) at offset {second} has CRC32C", error.Message, StringComparison.Ordinal);
        Assert.Equal(1L, error.Data["CommandIndex"]);
        Assert.Equal((long)second, error.Data["Offset"]);
    }

    [Theory]
    [InlineData(uint.MaxValue)]
    [InlineData((1u << 20) + 1)]
    public async Task An_oversize_length_is_refused_before_reading_it(uint length)
    {
        var command = new byte[10];
        BinaryPrimitives.WriteUInt32LittleEndian(command, length);
        BinaryPrimitives.WriteUInt16LittleEndian(command.AsSpan(4), 15);
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => StreamActions.ReadAllAsync(TestStreams.WithHeader(1, command), async: true));
        Assert.Contains($"declares {length} bytes of attributes; at most {1 << 20}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_command_size_cap_is_configurable()
    {
        var stream = TestStreams.Build(2, TestStreams.Subvolume(), TestStreams.Write("f", 0, new byte[5000]), TestStreams.End());
        await Assert.ThrowsAsync<InvalidDataException>(() => StreamActions.ReadAllAsync(stream, true, new SendStreamReaderOptions { MaxCommandLength = 4096 }));
        Assert.Equal(3, (await StreamActions.ReadAllAsync(stream, true, new SendStreamReaderOptions { MaxCommandLength = 8192 })).Count);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(36)]
    [InlineData(0xffff)]
    public async Task An_unknown_attribute_type_is_refused(ushort type)
    {
        var payload = new byte[6];
        BinaryPrimitives.WriteUInt16LittleEndian(payload, type);
        BinaryPrimitives.WriteUInt16LittleEndian(payload.AsSpan(2), 2);
        var stream = TestStreams.WithHeader(1, TestStreams.RawCommand(15, payload));
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => StreamActions.ReadAllAsync(stream, async: true));
        Assert.Contains($"unknown type {type}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_attribute_longer_than_its_command_is_refused()
    {
        var payload = new byte[8];
        BinaryPrimitives.WriteUInt16LittleEndian(payload, (ushort)SendAttributeType.Path);
        BinaryPrimitives.WriteUInt16LittleEndian(payload.AsSpan(2), 100);
        var stream = TestStreams.WithHeader(1, TestStreams.RawCommand(3, payload));
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => StreamActions.ReadAllAsync(stream, async: false));
        Assert.Contains("Path attribute at offset 27 of 100 bytes, but only 4 remain", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task A_truncated_attribute_header_is_refused(int length)
    {
        var payload = new byte[length];
        payload[0] = (byte)SendAttributeType.Path;
        var stream = TestStreams.WithHeader(1, TestStreams.RawCommand(3, payload));
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => StreamActions.ReadAllAsync(stream, async: true));
        Assert.Contains("truncated", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Data_after_end_is_refused()
    {
        var stream = TestStreams.Sample(1).Concat(new byte[] { 1, 2, 3 }).ToArray();
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => StreamActions.ReadAllAsync(stream, async: true));
        Assert.Contains("continues after its END command", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_typed_getter_names_a_missing_or_misshapen_attribute()
    {
        var command = new SendCommandBuilder(SendCommandType.MakeFile).Add(SendAttributeType.Inode, "abc").Build();
        Assert.Contains("lacks the Path attribute", Assert.Throws<InvalidDataException>(() => command.Get(SendAttributeType.Path)).Message, StringComparison.Ordinal);
        Assert.Contains("Inode attribute of 3 bytes where 8 were expected", Assert.Throws<InvalidDataException>(() => command.GetUInt64(SendAttributeType.Inode)).Message, StringComparison.Ordinal);
    }
}
