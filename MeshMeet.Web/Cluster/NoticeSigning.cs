using System.Security.Cryptography;

namespace MeshMeet.Web.Cluster;

/// <summary>
/// Notices between instances travel over Redis, which other clients may reach: each carries an HMAC-SHA256 of its
/// bytes under the cluster's secret, in front of them. Pure, so it is tested without Redis.
/// </summary>
public static class NoticeSigning
{
    private const int MacLength = 32;

    public static byte[] Sign(byte[] key, byte[] payload) => [.. HMACSHA256.HashData(key, payload), .. payload];

    /// <summary>The payload, if the message carries a valid signature under <paramref name="key"/>; otherwise null.</summary>
    public static byte[]? Verify(byte[] key, byte[]? message)
    {
        if (key.Length == 0 || message is null || message.Length <= MacLength) return null;
        var payload = message[MacLength..];
        return CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(key, payload), message.AsSpan(0, MacLength)) ? payload : null;
    }
}
