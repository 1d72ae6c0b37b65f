

namespace AtomicUpdate.SendStream.Tests;

/// <summary>
/// Mutation fuzzing: every mutated stream either parses or fails with InvalidDataException (malformed)
/// or SendStreamValidationException (refused) — never another exception, never a hang.
/// </summary>
public sealed class FuzzTests
{
    private const int Iterations = 100_000;

    [Fact]
    public void Mutated_streams_fail_only_with_clear_errors()
    {
        var seeds = new[] { TestStreams.Sample(1), TestStreams.Sample(2), TestStreams.Sample(3), IncrementalSeed() };
        var random = new Random(20261122);
        var outcomes = new Dictionary<string, int>();
        for (var i = 0; i < Iterations; i++)
        {
            var stream = Mutate(seeds[i % seeds.Length], random);
            // Half the mutants get valid CRCs, so the mutation reaches the attribute parser and the validator.
            if (i % 2 == 0)
            {
                TestStreams.FixChecksums(stream);
            }
            var outcome = Run(stream);
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }
        Assert.True(outcomes.GetValueOrDefault("accepted") > 0, "Some mutants should still be valid streams.");
        Assert.True(outcomes.GetValueOrDefault("refused") > 0, "Some mutants should reach the validator and be refused.");
        Assert.True(outcomes.GetValueOrDefault("malformed") > 0, "Some mutants should be malformed.");
    }

    private static string Run(byte[] stream)
    {
        try
        {
            using (var reader = new SendStreamReader(new MemoryStream(stream)))
            {
                var validator = new SendStreamValidator(reader.ReadHeader());
                while (reader.ReadCommand() is { } command)
                {
                    validator.Validate(command);
                }
                validator.Complete(reader.BytesRead);
            }
            // What the validator accepts, dump and stats must handle too.
            using (var reader = new SendStreamReader(new MemoryStream(stream)))
            {
                SendStreamDump.Write(reader, Stream.Null);
            }
            using (var reader = new SendStreamReader(new MemoryStream(stream)))
            {
                SendStreamStatistics.Collect(reader).ToText();
            }
            return "accepted";
        }
        catch (InvalidDataException)
        {
            return "malformed";
        }
        catch (SendStreamValidationException)
        {
            return "refused";
        }
    }

    private static byte[] Mutate(byte[] seed, Random random)
    {
        var stream = (byte[])seed.Clone();
        var mutations = 1 + random.Next(3);
        for (var m = 0; m < mutations; m++)
        {
            switch (random.Next(7))
            {
                case 0:
                    stream[random.Next(stream.Length)] ^= (byte)(1 << random.Next(8));
                    break;
                case 1:
                    stream[random.Next(stream.Length)] = (byte)random.Next(256);
                    break;
                case 2:
                    stream = stream[..random.Next(stream.Length)];
                    break;
                case 3:
                    var at = random.Next(stream.Length + 1);
                    var inserted = new byte[1 + random.Next(16)];
                    random.NextBytes(inserted);
                    stream = [.. stream[..at], .. inserted, .. stream[at..]];
                    break;
                case 4:
                    var start = random.Next(stream.Length);
                    var length = random.Next(Math.Min(64, stream.Length - start) + 1);
                    stream = [.. stream[..start], .. stream[(start + length)..]];
                    break;
                case 5:
                    // Interesting values where lengths and types live.
                    var position = random.Next(Math.Max(1, stream.Length - 4));
                    var value = new[] { 0u, 1u, 0xffffu, 0x10000u, 0xffffffffu, 0x7fffffffu }[random.Next(6)];
                    BitConverter.TryWriteBytes(stream.AsSpan(position, Math.Min(4, stream.Length - position)), (ushort)value);
                    break;
                default:
                    // Splice: a copy of one command somewhere else.
                    var boundaries = TestStreams.CommandBoundaries(stream);
                    if (boundaries.Count > 2)
                    {
                        var pick = random.Next(boundaries.Count - 1);
                        var command = stream[boundaries[pick]..boundaries[pick + 1]];
                        var where = boundaries[random.Next(boundaries.Count)];
                        stream = [.. stream[..where], .. command, .. stream[where..]];
                    }
                    break;
            }
            if (stream.Length == 0)
            {
                break;
            }
        }
        return stream;
    }

    private static byte[] IncrementalSeed() => TestStreams.Build(
        2,
        TestStreams.Snapshot(),
        TestStreams.Rename("usr/bin/tool", "o300-5-0"),
        TestStreams.MakeFile("o301-9-0"),
        TestStreams.Rename("o301-9-0", "usr/bin/tool"),
        TestStreams.Write("usr/bin/tool", 0, new byte[64]),
        TestStreams.Clone("usr/bin/tool", TestStreams.ParentUuid, "usr/lib/x"),
        TestStreams.Symlink("o302-9-0", "tool"),
        TestStreams.Rename("o302-9-0", "usr/bin/alias"),
        TestStreams.Unlink("o300-5-0"),
        TestStreams.Utimes("usr/bin", 5),
        TestStreams.End());
}
