using System.Text.Json;
using MeshMeet.Web.Signaling;

namespace MeshMeet.Tests.Signaling;

/// <summary>The relayed shapes' hand-written JSON keeps the wire format SignalR's default options give every other message.</summary>
public sealed class SignalJsonTests
{
    // What JsonHubProtocol uses by default (camelCase, names matched without regard to case), plus ours: nulls left out.
    private static readonly JsonSerializerOptions Hub = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    [Fact]
    public void A_browser_offer_reads_as_sent()
    {
        var r = JsonSerializer.Deserialize<SignalRequest>("""{"to":"abc","description":{"type":"offer","sdp":"v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n"}}""", Hub)!;
        Assert.Equal("abc", r.To);
        Assert.Equal(new SessionDescription("offer", "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n"), r.Description);
        Assert.Null(r.Candidate);
    }

    [Fact]
    public void A_candidate_reads_every_field_and_tolerates_other_spellings_and_unknown_members()
    {
        var r = JsonSerializer.Deserialize<SignalRequest>("""
            {"To":"abc","extra":{"nested":[1,{"a":2}]},"candidate":{"CANDIDATE":"candidate:1 1 udp 1 127.0.0.1 5000 typ host",
             "sdpMid":"0","sdpMLineIndex":0,"usernameFragment":"u\u00e9","relayProtocol":null},"description":null}
            """, Hub)!;
        Assert.Equal("abc", r.To);
        Assert.Null(r.Description);
        Assert.Equal(new IceCandidate("candidate:1 1 udp 1 127.0.0.1 5000 typ host", "0", 0, "ué"), r.Candidate);
    }

    [Theory]
    [InlineData("""{"to":"abc","description":"offer"}""")]
    [InlineData("""{"to":"abc","candidate":{"sdpMLineIndex":"zero"}}""")]
    [InlineData("""{"to":["abc"]}""")]
    [InlineData("""["abc"]""")]
    public void A_wrong_shape_is_a_json_error_not_a_half_read_message(string json) =>
        Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize<SignalRequest>(json, Hub));

    [Fact]
    public void The_relayed_message_is_written_in_the_hubs_shape_without_nulls()
    {
        var offer = JsonSerializer.Serialize(new SignalMessage("p1", new SessionDescription("offer", "v=0\"é"), null), Hub);
        Assert.Equal("""{"from":"p1","description":{"type":"offer","sdp":"v=0\u0022\u00E9"}}""", offer);
        var candidate = JsonSerializer.Serialize(new SignalMessage("p1", null, new IceCandidate("c", null, 1, null)), Hub);
        Assert.Equal("""{"from":"p1","candidate":{"candidate":"c","sdpMLineIndex":1}}""", candidate);
    }

    [Fact]
    public void Both_shapes_survive_a_round_trip()
    {
        var request = new SignalRequest("to", new SessionDescription("answer", "sdp"), new IceCandidate("c", "m", 2, "u"));
        Assert.Equal(request, JsonSerializer.Deserialize<SignalRequest>(JsonSerializer.Serialize(request, Hub), Hub));
        var message = new SignalMessage("from", null, new IceCandidate("", "0", null, null));
        Assert.Equal(message, JsonSerializer.Deserialize<SignalMessage>(JsonSerializer.Serialize(message, Hub), Hub));
    }
}
