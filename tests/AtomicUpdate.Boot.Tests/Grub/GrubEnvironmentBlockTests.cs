using System.Text;
using AtomicUpdate.Agent.Tests.Support;
using AtomicUpdate.Boot.Grub;
using AtomicUpdate.Testing;

namespace AtomicUpdate.Boot.Tests.Grub;

public sealed class GrubEnvironmentBlockTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task BlockWrittenByUsIsListedByGrubEditenv()
    {
        var path = _directory.Combine("grubenv");
        File.WriteAllBytes(path, GrubEnvironmentBlock.Format(
        [
            new("au_good", "@deploy/1.0"),
            new("back", @"a\b\\c"),
            new("multi", "line1\nline2"),
            new("empty", ""),
        ]));

        var listed = await Shell.RunAsync($"grub-editenv '{path}' list");

        Assert.Equal("au_good=@deploy/1.0\nback=a\\b\\\\c\nmulti=line1\nline2\nempty=\n", listed);
        Assert.Equal(GrubEnvironmentBlock.Size, new FileInfo(path).Length);
    }

    [Fact]
    public async Task BlockWrittenByGrubEditenvIsReadByUs()
    {
        var path = _directory.Combine("grubenv");
        await Shell.RunAsync($"grub-editenv '{path}' create && grub-editenv '{path}' set au_good=@deploy/2.0 'back=x\\y' \"$(printf 'multi=one\\ntwo')\" empty=");

        var variables = GrubEnvironmentBlock.Parse(File.ReadAllBytes(path));

        Assert.Equal(
            [new("au_good", "@deploy/2.0"), new("back", @"x\y"), new("multi", "one\ntwo"), new("empty", "")],
            variables);
    }

    [Theory]
    [InlineData("plain")]
    [InlineData(@"\")]
    [InlineData("\n")]
    [InlineData("ends with backslash\\")]
    [InlineData("\\\n\\\n#=")]
    public void EscapingRoundTrips(string value)
    {
        var block = GrubEnvironmentBlock.Format([new("name", value), new("after", "x")]);

        Assert.Equal([new("name", value), new("after", "x")], GrubEnvironmentBlock.Parse(block));
    }

    [Fact]
    public void BadHeaderIsRefused()
    {
        var block = GrubEnvironmentBlock.Format([new("au_good", "@deploy/1.0")]);
        block[2] = (byte)'g';

        var error = Assert.Throws<InvalidDataException>(() => GrubEnvironmentBlock.Parse(block));
        Assert.Contains("does not start with '# GRUB Environment Block'", error.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(512)]
    [InlineData(1023)]
    [InlineData(1025)]
    public void BlockOfWrongSizeIsRefused(int size)
    {
        var block = new byte[size];
        block.AsSpan().Fill((byte)'#');
        GrubEnvironmentBlock.Header[..Math.Min(size, GrubEnvironmentBlock.Header.Length)].CopyTo(block);

        var error = Assert.Throws<InvalidDataException>(() => GrubEnvironmentBlock.Parse(block));
        Assert.Contains($"this one has {size}", error.Message);
    }

    [Fact]
    public void ValueRunningToTheEndIsRefused()
    {
        var block = GrubEnvironmentBlock.Format([]);
        var line = Encoding.ASCII.GetBytes("au_good=" + new string('x', GrubEnvironmentBlock.Size));
        line.AsSpan(0, GrubEnvironmentBlock.Size - GrubEnvironmentBlock.Header.Length).CopyTo(block.AsSpan(GrubEnvironmentBlock.Header.Length));

        var error = Assert.Throws<InvalidDataException>(() => GrubEnvironmentBlock.Parse(block));
        Assert.Contains("ends inside the value of 'au_good'", error.Message);
    }

    [Fact]
    public void LineWithoutNameIsRefused()
    {
        var block = GrubEnvironmentBlock.Format([new("a", "1")]);
        block[GrubEnvironmentBlock.Header.Length + 4] = (byte)'\n';

        var error = Assert.Throws<InvalidDataException>(() => GrubEnvironmentBlock.Parse(block));
        Assert.Contains("line without 'name='", error.Message);
    }

    [Fact]
    public void ContentTooLongIsRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => GrubEnvironmentBlock.Format([new("big", new string('v', 1000))]));

        Assert.Contains("take 1030 bytes; a GRUB environment block holds 1024", error.Message);
    }

    [Fact]
    public void ContentFillingTheBlockExactlyFits()
    {
        var value = new string('v', GrubEnvironmentBlock.Size - GrubEnvironmentBlock.Header.Length - "big=\n".Length);

        Assert.Equal([new("big", value)], GrubEnvironmentBlock.Parse(GrubEnvironmentBlock.Format([new("big", value)])));
    }

    [Theory]
    [InlineData("")]
    [InlineData("#comment")]
    [InlineData("a=b")]
    [InlineData("a\nb")]
    public void NameThatCannotBeStoredIsRefused(string name)
    {
        Assert.Throws<ArgumentException>(() => GrubEnvironmentBlock.Format([new(name, "v")]));
    }
}
