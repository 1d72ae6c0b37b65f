using System.Text;
using System.Text.Json.Nodes;

namespace AtomicUpdate.Trust.Tests;

public class CanonicalJsonTests
{
    // Expected outputs follow securesystemslib's encode_canonical: members sorted by code point,
    // no whitespace, only '"' and '\' escaped, other characters raw UTF-8.
    [Theory]
    [InlineData("\"\"", "\"\"")]
    [InlineData("[1, 2, 3]", "[1,2,3]")]
    [InlineData("[]", "[]")]
    [InlineData("{}", "{}")]
    [InlineData("{\"A\": [99]}", "{\"A\":[99]}")]
    [InlineData("{\"A\": true}", "{\"A\":true}")]
    [InlineData("{\"B\": false}", "{\"B\":false}")]
    [InlineData("{\"y\": 2, \"x\": 3}", "{\"x\":3,\"y\":2}")]
    [InlineData("{\"x\": 3, \"y\": null}", "{\"x\":3,\"y\":null}")]
    [InlineData("{\"b\":1,\"a\":[true,false,null],\"c\":{\"z\":\"\",\"y\":-5}}", "{\"a\":[true,false,null],\"b\":1,\"c\":{\"y\":-5,\"z\":\"\"}}")]
    [InlineData("[0, -0, -1, 9007199254740993, -9223372036854775808]", "[0,0,-1,9007199254740993,-9223372036854775808]")]
    public void Encodes_like_securesystemslib(string input, string expected)
    {
        Assert.Equal(expected, CanonicalJson.EncodeToString(CanonicalJson.Parse(Encoding.UTF8.GetBytes(input))));
    }

    [Fact]
    public void Escapes_only_quote_and_backslash_and_writes_control_characters_raw()
    {
        var node = CanonicalJson.Parse("{\"s\": \"q\\\" b\\\\ n\\n t\\t u\\u0001 slash\\/\"}"u8);

        var encoded = CanonicalJson.Encode(node);

        byte[] expected = [.. "{\"s\":\"q\\\" b\\\\ n"u8, 0x0A, .. " t"u8, 0x09, .. " u"u8, 0x01, .. " slash/\"}"u8];
        Assert.Equal(expected, encoded);
    }

    [Fact]
    public void Writes_unicode_as_raw_utf8()
    {
        var node = CanonicalJson.Parse("[\"\\u00e9\", \"\\u2028\", \"\\ud83d\\ude00\"]"u8);

        byte[] expected = [.. "[\""u8, 0xC3, 0xA9, .. "\",\""u8, 0xE2, 0x80, 0xA8, .. "\",\""u8, 0xF0, 0x9F, 0x98, 0x80, .. "\"]"u8];
        Assert.Equal(expected, CanonicalJson.Encode(node));
    }

    [Fact]
    public void Sorts_members_by_code_point_not_utf16_unit()
    {
        // UTF-16 ordinal order would put U+1F600 (D83D DE00) before U+FFFF; Python puts it after.
        var node = new JsonObject { ["\U0001F600"] = 5, ["\uFFFF"] = 4, ["\u00E9"] = 3, ["a"] = 2, ["B"] = 1 };

        var text = CanonicalJson.EncodeToString(node);

        Assert.Equal("{\"B\":1,\"a\":2,\"\u00E9\":3,\"\uFFFF\":4,\"\U0001F600\":5}", text);
    }

    [Theory]
    [InlineData("[1.5]")]
    [InlineData("[1.0]")]
    [InlineData("[1e3]")]
    [InlineData("[99999999999999999999]")]
    [InlineData("[\"\\ud800\"]")]
    public void Refuses_values_canonical_json_cannot_hold(string input)
    {
        var node = CanonicalJson.Parse(Encoding.UTF8.GetBytes(input));

        Assert.Throws<MalformedMetadataException>(() => CanonicalJson.Encode(node));
    }

    [Theory]
    [InlineData("{\"a\": 1, \"a\": 2}")]
    [InlineData("{\"a\": 1,}")]
    [InlineData("{\"a\": 1} // c")]
    [InlineData("null")]
    [InlineData("{")]
    public void Parse_refuses_ambiguous_or_invalid_json(string input)
    {
        Assert.Throws<MalformedMetadataException>(() => CanonicalJson.Parse(Encoding.UTF8.GetBytes(input)));
    }

    [Fact]
    public void Parsed_metadata_reencodes_to_the_same_canonical_bytes_including_unknown_members()
    {
        var json = """
            {"signatures":[],"signed":{"_type":"targets","spec_version":"1.0.31","version":3,"expires":"2030-01-01T00:00:00Z",
             "x-extra":{"n":[1,2]},"delegations":{"keys":{},"roles":[]},
             "targets":{"a/b.bin":{"length":4,"hashes":{"sha256":"00","md5":"11"},"custom":{"k":"v"},"x-note":"kept"}}}}
            """;
        var original = CanonicalJson.Encode(CanonicalJson.Parse(Encoding.UTF8.GetBytes(json)));

        var metadata = SignedMetadata<TargetsMetadata>.FromBytes(Encoding.UTF8.GetBytes(json));

        Assert.Equal(Encoding.UTF8.GetString(original), Encoding.UTF8.GetString(metadata.ToBytes()));
        Assert.Equal("v", metadata.Signed.Targets["a/b.bin"].Custom!["k"]!.GetValue<string>());
    }

    [Fact]
    public void Metadata_files_escape_control_characters_so_strict_parsers_read_them()
    {
        var node = new JsonObject { ["pem"] = "a\nb\u0001\"", ["b"] = 1 };

        var file = Encoding.UTF8.GetString(CanonicalJson.EncodeForFile(node));

        Assert.Equal("{\"b\":1,\"pem\":\"a\\nb\\u0001\\\"\"}", file);
        Assert.Equal("a\nb\u0001\"", System.Text.Json.Nodes.JsonNode.Parse(file)!["pem"]!.GetValue<string>());
    }
}
