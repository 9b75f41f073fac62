using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace MeshMeet.Web.Signaling;

/// <summary>
/// Hand-written JSON for the relayed shapes: <see cref="SignalRequest"/> in, <see cref="SignalMessage"/> out. The wire
/// format is what the reflection serializer reads and writes (camelCase, nulls left out, names matched without regard
/// to case, unknown members skipped); only the cost changes. Profiled with scripts/bench signaling's closed loop, the
/// generic path took 45 % of the relay's CPU in JSON: a parameterised-constructor converter and a frame per nested
/// object, for two shapes that never change.
/// </summary>
internal static class SignalJson
{
    private static readonly PropertyNames Request = new("to", "description", "candidate");
    private static readonly PropertyNames Message = new("from", "description", "candidate");
    private static readonly PropertyNames Description = new("type", "sdp");
    private static readonly PropertyNames Candidate = new("candidate", "sdpMid", "sdpMLineIndex", "usernameFragment");

    public sealed class RequestConverter : JsonConverter<SignalRequest>
    {
        public override SignalRequest? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (!IsObject(ref reader)) return null;
            string? to = null;
            SessionDescription? description = null;
            IceCandidate? candidate = null;
            while (NextProperty(ref reader, Request, out var property))
            {
                switch (property)
                {
                    case 0: to = ReadString(ref reader); break;
                    case 1: description = ReadDescription(ref reader); break;
                    case 2: candidate = ReadCandidate(ref reader); break;
                    default: reader.Skip(); break;
                }
            }
            return new SignalRequest(to, description, candidate);
        }

        public override void Write(Utf8JsonWriter writer, SignalRequest value, JsonSerializerOptions options)
        {
            writer.WriteStartObject();
            WriteIfSet(writer, "to"u8, value.To);
            WriteBody(writer, value.Description, value.Candidate);
            writer.WriteEndObject();
        }
    }

    public sealed class MessageConverter : JsonConverter<SignalMessage>
    {
        public override SignalMessage? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (!IsObject(ref reader)) return null;
            string? from = null;
            SessionDescription? description = null;
            IceCandidate? candidate = null;
            while (NextProperty(ref reader, Message, out var property))
            {
                switch (property)
                {
                    case 0: from = ReadString(ref reader); break;
                    case 1: description = ReadDescription(ref reader); break;
                    case 2: candidate = ReadCandidate(ref reader); break;
                    default: reader.Skip(); break;
                }
            }
            return new SignalMessage(from!, description, candidate);
        }

        public override void Write(Utf8JsonWriter writer, SignalMessage value, JsonSerializerOptions options)
        {
            writer.WriteStartObject();
            writer.WriteString("from"u8, value.From);
            WriteBody(writer, value.Description, value.Candidate);
            writer.WriteEndObject();
        }
    }

    private static SessionDescription? ReadDescription(ref Utf8JsonReader reader)
    {
        if (!IsObject(ref reader)) return null;
        string? type = null, sdp = null;
        while (NextProperty(ref reader, Description, out var property))
        {
            switch (property)
            {
                case 0: type = ReadString(ref reader); break;
                case 1: sdp = ReadString(ref reader); break;
                default: reader.Skip(); break;
            }
        }
        return new SessionDescription(type, sdp);
    }

    private static IceCandidate? ReadCandidate(ref Utf8JsonReader reader)
    {
        if (!IsObject(ref reader)) return null;
        string? candidate = null, sdpMid = null, usernameFragment = null;
        int? sdpMLineIndex = null;
        while (NextProperty(ref reader, Candidate, out var property))
        {
            switch (property)
            {
                case 0: candidate = ReadString(ref reader); break;
                case 1: sdpMid = ReadString(ref reader); break;
                case 2: sdpMLineIndex = reader.TokenType == JsonTokenType.Null ? null : reader.GetInt32(); break;
                case 3: usernameFragment = ReadString(ref reader); break;
                default: reader.Skip(); break;
            }
        }
        return new IceCandidate(candidate, sdpMid, sdpMLineIndex, usernameFragment);
    }

    private static void WriteBody(Utf8JsonWriter w, SessionDescription? description, IceCandidate? candidate)
    {
        if (description is not null)
        {
            w.WriteStartObject("description"u8);
            WriteIfSet(w, "type"u8, description.Type);
            WriteIfSet(w, "sdp"u8, description.Sdp);
            w.WriteEndObject();
        }
        if (candidate is not null)
        {
            w.WriteStartObject("candidate"u8);
            WriteIfSet(w, "candidate"u8, candidate.Candidate);
            WriteIfSet(w, "sdpMid"u8, candidate.SdpMid);
            if (candidate.SdpMLineIndex is { } index) w.WriteNumber("sdpMLineIndex"u8, index);
            WriteIfSet(w, "usernameFragment"u8, candidate.UsernameFragment);
            w.WriteEndObject();
        }
    }

    /// <summary>Inside an object: moves to the next property's value and says which of <paramref name="names"/> it
    /// is (-1: another one); false at the object's end.</summary>
    private static bool NextProperty(ref Utf8JsonReader reader, PropertyNames names, out int property)
    {
        if (!reader.Read() || reader.TokenType == JsonTokenType.EndObject)
        {
            property = -1;
            return false;
        }
        if (reader.TokenType != JsonTokenType.PropertyName) throw new JsonException("Expected a property name.");
        property = names.Match(ref reader);
        reader.Read();
        return true;
    }

    /// <summary>True on an object's start, false on null; anything else is not this shape.</summary>
    private static bool IsObject(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.StartObject => true,
        JsonTokenType.Null => false,
        _ => throw new JsonException("Expected an object."),
    };

    private static string? ReadString(ref Utf8JsonReader r) => r.TokenType == JsonTokenType.Null ? null : r.GetString();

    private static void WriteIfSet(Utf8JsonWriter w, ReadOnlySpan<byte> name, string? value)
    {
        if (value is not null) w.WriteString(name, value);
    }

    /// <summary>Property names of one shape: compared as UTF-8 bytes first (what clients send), then as text without
    /// regard to case, as SignalR's default options do.</summary>
    private sealed class PropertyNames(params string[] names)
    {
        private readonly byte[][] _utf8 = names.Select(Encoding.UTF8.GetBytes).ToArray();

        public int Match(ref Utf8JsonReader reader)
        {
            for (var i = 0; i < _utf8.Length; i++)
                if (reader.ValueTextEquals(_utf8[i])) return i;
            var name = reader.GetString();
            return Array.FindIndex(names, n => n.Equals(name, StringComparison.OrdinalIgnoreCase));
        }
    }
}
