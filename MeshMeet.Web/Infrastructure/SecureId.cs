using System.Security.Cryptography;
using System.Text;

namespace MeshMeet.Web.Infrastructure;

/// <summary>Unguessable identifiers from the operating system's CSPRNG, URL-safe base64 without padding.</summary>
public static class SecureId
{
    /// <summary>128 bits: room ids (DESIGN asks at least 96) and participant ids (at least 128).</summary>
    public const int DefaultBytes = 16;

    public static string New(int bytes = DefaultBytes) =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(bytes))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>True for strings this class could have produced: bounds lookups before they reach the database.</summary>
    public static bool LooksValid(string? id, int bytes = DefaultBytes) =>
        id is not null
        && id.Length == (bytes * 8 + 5) / 6
        && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    /// <summary>SHA-256 of a secret (reconnect tokens, browser ids), as stored and compared: the secret itself is never kept.</summary>
    public static string Hash(string secret) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
}
