using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace MeshMeet.Tests.Support;

/// <summary>
/// Just enough of a TURN client (RFC 8656, long-term credentials) to try a TURN server as a participant's browser, or
/// an attacker holding that participant's credentials, would: allocate a relay, ask for a permission to a peer, send
/// through the relay and read what comes back. Over UDP, or over TCP (which is how RFC 6062 TCP relays are asked for).
/// </summary>
public sealed class TurnClient : IAsyncDisposable
{
    private const uint Magic = 0x2112A442;
    private const ushort Allocate = 0x0003, Refresh = 0x0004, CreatePermission = 0x0008, SendIndication = 0x0016, DataIndication = 0x0017;
    private const ushort AttrUsername = 0x0006, AttrIntegrity = 0x0008, AttrError = 0x0009, AttrRealm = 0x0014, AttrNonce = 0x0015,
        AttrRelayed = 0x0016, AttrTransport = 0x0019, AttrPeer = 0x0012, AttrData = 0x0013, AttrLifetime = 0x000D;

    private readonly IPEndPoint _server;
    private readonly string _username;
    private readonly Socket _socket;
    private readonly bool _tcp;
    private readonly string _password;
    private string? _realm, _nonce;

    /// <summary>The relayed address the server gave, after a successful <see cref="AllocateAsync"/>.</summary>
    public IPEndPoint? Relayed { get; private set; }

    private TurnClient(IPEndPoint server, string username, string password, bool tcp)
    {
        (_server, _username, _tcp) = (server, username, tcp);
        _socket = tcp ? new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)
            : new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        _password = password;
    }

    public static async Task<TurnClient> ConnectAsync(IPEndPoint server, string username, string password, bool tcp = false)
    {
        var client = new TurnClient(server, username, password, tcp);
        if (tcp) await client._socket.ConnectAsync(server);
        else client._socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return client;
    }

    /// <summary>Asks for a relay (UDP, or TCP with <paramref name="tcpRelay"/>). The STUN error code, or 0 on success.</summary>
    public async Task<int> AllocateAsync(bool tcpRelay = false)
    {
        var (code, response) = await AuthenticatedAsync(Allocate, [Attribute(AttrTransport, [tcpRelay ? (byte)6 : (byte)17, 0, 0, 0])]);
        if (code == 0) Relayed = XorAddress(Find(response, AttrRelayed)!);
        return code;
    }

    /// <summary>Refreshes the allocation (lifetime 0 releases it). The STUN error code, or 0.</summary>
    public async Task<int> RefreshAsync(uint lifetimeSeconds = 600)
    {
        var lifetime = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(lifetime, lifetimeSeconds);
        return (await AuthenticatedAsync(Refresh, [Attribute(AttrLifetime, lifetime)])).Code;
    }

    /// <summary>Lets the relay exchange packets with <paramref name="peer"/>. The STUN error code (403: forbidden peer), or 0.</summary>
    public async Task<int> PermitAsync(IPEndPoint peer) =>
        (await AuthenticatedAsync(CreatePermission, [Attribute(AttrPeer, XorAddressBytes(peer))])).Code;

    /// <summary>Sends <paramref name="data"/> to the peer through the relay (a Send indication; no answer).</summary>
    public async Task SendAsync(IPEndPoint peer, byte[] data) =>
        await TransmitAsync(Message(SendIndication, RandomNumberGenerator.GetBytes(12), [Attribute(AttrPeer, XorAddressBytes(peer)), Attribute(AttrData, data)], integrity: false));

    /// <summary>The next data a peer sent to the relay, or null if none arrives in time.</summary>
    public async Task<byte[]?> ReceiveAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            while (true)
            {
                var message = await ReadAsync(cts.Token);
                if (BinaryPrimitives.ReadUInt16BigEndian(message) == DataIndication) return Find(message, AttrData);
            }
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    private async Task<(int Code, byte[] Response)> AuthenticatedAsync(ushort method, List<byte[]> attributes)
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var withAuth = _realm is null ? attributes
                : [.. attributes, Attribute(AttrUsername, Encoding.UTF8.GetBytes(_username)),
                    Attribute(AttrRealm, Encoding.UTF8.GetBytes(_realm)), Attribute(AttrNonce, Encoding.UTF8.GetBytes(_nonce!))];
            var transaction = RandomNumberGenerator.GetBytes(12);
            var response = await TransactAsync(Message(method, transaction, withAuth, integrity: _realm is not null), transaction);
            var code = ErrorCode(response);
            // 401 (no credentials yet) and 438 (stale nonce): take the server's realm and nonce, then ask again.
            if (code is 401 or 438 && (_realm is null || code == 438))
            {
                _realm = Encoding.UTF8.GetString(Find(response, AttrRealm)!);
                _nonce = Encoding.UTF8.GetString(Find(response, AttrNonce)!);
                continue;
            }
            return (code, response);
        }
        throw new InvalidOperationException("The TURN server kept asking for credentials.");
    }

    private byte[] LongTermKey => MD5.HashData(Encoding.UTF8.GetBytes($"{_username}:{_realm}:{_password}"));

    private byte[] Message(ushort type, byte[] transaction, List<byte[]> attributes, bool integrity)
    {
        var body = attributes.SelectMany(a => a).ToList();
        var header = new byte[20];
        BinaryPrimitives.WriteUInt16BigEndian(header, type);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), Magic);
        transaction.CopyTo(header, 8);
        if (!integrity)
        {
            BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(2), (ushort)body.Count);
            return [.. header, .. body];
        }
        // MESSAGE-INTEGRITY covers the message with a length that already counts the integrity attribute itself.
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(2), (ushort)(body.Count + 24));
        var mac = HMACSHA1.HashData(LongTermKey, (byte[])[.. header, .. body]);
        return [.. header, .. body, .. Attribute(AttrIntegrity, mac)];
    }

    private static byte[] Attribute(ushort type, byte[] value)
    {
        var padded = new byte[4 + (value.Length + 3) / 4 * 4];
        BinaryPrimitives.WriteUInt16BigEndian(padded, type);
        BinaryPrimitives.WriteUInt16BigEndian(padded.AsSpan(2), (ushort)value.Length);
        value.CopyTo(padded, 4);
        return padded;
    }

    private static byte[]? Find(byte[] message, ushort type)
    {
        var length = BinaryPrimitives.ReadUInt16BigEndian(message.AsSpan(2));
        for (var at = 20; at + 4 <= 20 + length;)
        {
            var t = BinaryPrimitives.ReadUInt16BigEndian(message.AsSpan(at));
            var l = BinaryPrimitives.ReadUInt16BigEndian(message.AsSpan(at + 2));
            if (t == type) return message.AsSpan(at + 4, l).ToArray();
            at += 4 + (l + 3) / 4 * 4;
        }
        return null;
    }

    private static int ErrorCode(byte[] response)
    {
        if ((BinaryPrimitives.ReadUInt16BigEndian(response) & 0x0110) != 0x0110) return 0; // a success response
        var error = Find(response, AttrError)!;
        return error[2] * 100 + error[3];
    }

    private static byte[] XorAddressBytes(IPEndPoint endpoint)
    {
        var value = new byte[8];
        value[1] = 0x01; // IPv4
        BinaryPrimitives.WriteUInt16BigEndian(value.AsSpan(2), (ushort)(endpoint.Port ^ (Magic >> 16)));
        var address = endpoint.Address.GetAddressBytes();
        for (var i = 0; i < 4; i++) value[4 + i] = (byte)(address[i] ^ (byte)(Magic >> (24 - 8 * i)));
        return value;
    }

    private static IPEndPoint XorAddress(byte[] value)
    {
        var port = BinaryPrimitives.ReadUInt16BigEndian(value.AsSpan(2)) ^ (int)(Magic >> 16);
        var address = new byte[4];
        for (var i = 0; i < 4; i++) address[i] = (byte)(value[4 + i] ^ (byte)(Magic >> (24 - 8 * i)));
        return new IPEndPoint(new IPAddress(address), port);
    }

    private async Task TransmitAsync(byte[] message)
    {
        if (_tcp) await _socket.SendAsync(message);
        else await _socket.SendToAsync(message, _server);
    }

    /// <summary>Sends a request and waits for its response. Over UDP a request or its answer may be lost (or the
    /// server not listen yet), so it is sent again after 0.5, 1, 2 ... s, as RFC 8489 says; over TCP once.</summary>
    private async Task<byte[]> TransactAsync(byte[] request, byte[] transaction)
    {
        for (var attempt = 0; ; attempt++)
        {
            await TransmitAsync(request);
            var wait = _tcp ? TimeSpan.FromSeconds(10) : TimeSpan.FromMilliseconds(500 << Math.Min(attempt, 3));
            using var cts = new CancellationTokenSource(wait);
            try
            {
                while (true)
                {
                    var message = await ReadAsync(cts.Token);
                    if (message.AsSpan(8, 12).SequenceEqual(transaction)) return message;
                }
            }
            catch (OperationCanceledException) when (!_tcp && attempt < 6)
            {
                // not answered yet: send it again
            }
        }
    }

    private async Task<byte[]> ReadAsync(CancellationToken ct)
    {
        if (!_tcp)
        {
            var buffer = new byte[2048];
            var received = await _socket.ReceiveAsync(buffer, ct);
            return buffer[..received];
        }
        var header = await ReadExactlyAsync(20, ct);
        var body = await ReadExactlyAsync(BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(2)), ct);
        return [.. header, .. body];
    }

    private async Task<byte[]> ReadExactlyAsync(int count, CancellationToken ct)
    {
        var buffer = new byte[count];
        for (var read = 0; read < count;)
        {
            var n = await _socket.ReceiveAsync(buffer.AsMemory(read), ct);
            if (n == 0) throw new IOException("The TURN server closed the connection.");
            read += n;
        }
        return buffer;
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
