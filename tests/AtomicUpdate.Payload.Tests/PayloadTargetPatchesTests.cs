using System.Text.Json.Nodes;

namespace AtomicUpdate.Payload.Tests;

/// <summary>The signed <c>patches</c> object of a patched delta's custom metadata.</summary>
public sealed class PayloadTargetPatchesTests
{
    private static readonly string Hash = new('a', 64);

    [Fact]
    public void The_patches_object_round_trips_and_a_plain_delta_has_none()
    {
        var patched = Delta() with { Patches = new PayloadPatches(64L << 20, Hash) };
        Assert.Equal(new PayloadPatches(64L << 20, Hash), PayloadTarget.FromJson("t", Wire(patched.ToJson())).Patches);
        Assert.Null(PayloadTarget.FromJson("t", Wire(Delta().ToJson())).Patches);
        Assert.Null(Delta().ToJson()["patches"]);
    }

    [Theory]
    [InlineData(0L, "reference_cap 0 is outside")]
    [InlineData(1L << 40, "is outside 1..536870912")]
    public void A_reference_cap_out_of_range_is_refused(long cap, string expected)
    {
        var json = Delta().ToJson();
        json["patches"] = new JsonObject { ["reference_cap"] = cap, ["header_sha256"] = Hash };
        var error = Assert.Throws<InvalidDataException>(() => PayloadTarget.FromJson("t", Wire(json)));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_malformed_hash_or_a_patched_full_image_is_refused()
    {
        var json = Delta().ToJson();
        json["patches"] = new JsonObject { ["reference_cap"] = 1024, ["header_sha256"] = "ABC" };
        Assert.Contains("header_sha256 is not 64 lowercase hex digits", Assert.Throws<InvalidDataException>(() => PayloadTarget.FromJson("t", Wire(json))).Message, StringComparison.Ordinal);

        var full = (Delta() with { Kind = PayloadKind.Full, BaseUuid = null, BaseVersion = null }).ToJson();
        full["patches"] = new JsonObject { ["reference_cap"] = 1024, ["header_sha256"] = Hash };
        Assert.Contains("only a delta can be patched", Assert.Throws<InvalidDataException>(() => PayloadTarget.FromJson("t", Wire(full))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Patched_deltas_are_named_apart_from_the_releases_older_agents_read()
    {
        Assert.Equal("patches/1.1/delta-from-1.0.payload", UpdateTargetNames.PatchedDelta("1.0", "1.1"));
        Assert.DoesNotContain(UpdateTargetNames.ReleasesDirectory + "/", UpdateTargetNames.PatchedDelta("1.0", "1.1"), StringComparison.Ordinal);
    }

    /// <summary>As devices read it: parsed from the signed metadata's text.</summary>
    private static JsonObject Wire(JsonObject json) => JsonNode.Parse(json.ToJsonString())!.AsObject();

    private static PayloadTarget Delta() => new()
    {
        Kind = PayloadKind.Delta,
        Version = "1.1",
        Uuid = Guid.NewGuid(),
        BaseVersion = "1.0",
        BaseUuid = Guid.NewGuid(),
        HardwareIds = ["board-a"],
        HeaderLength = 76,
        HeaderSha256 = Hash,
        StreamSize = 1000,
        SendProtocol = 1,
    };
}
