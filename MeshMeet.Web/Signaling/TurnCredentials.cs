using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace MeshMeet.Web.Signaling;

/// <summary>Configuration section "Turn": a TURN server with a shared secret (coturn's <c>use-auth-secret</c>).</summary>
public sealed class TurnOptions
{
    /// <summary>e.g. ["turn:turn.example.org:3478?transport=udp", "turn:turn.example.org:3478?transport=tcp"].</summary>
    public string[] Urls { get; set; } = [];
    public string? Secret { get; set; }
    /// <summary>How long the credentials handed out with a join stay valid, at least. Whoever holds them can open
    /// relays until then, also after leaving or being kicked, so they are short; the page asks for fresh ones
    /// (<c>RefreshIceServers</c>, seated participants only) every half of this, and with every join or resume.</summary>
    public int CredentialMinutes { get; set; } = 10;

    public bool Configured => Urls.Length > 0 && !string.IsNullOrEmpty(Secret);
}

/// <summary>
/// Short-lived TURN credentials from the shared secret, the "TURN REST API" scheme: the username is the expiry time
/// (Unix seconds) and who it is for, the password is base64(HMAC-SHA1(secret, username)). The TURN server recomputes
/// the password from the username alone and refuses it after the expiry, so nothing is stored and nothing long-lived
/// reaches the browser.
/// </summary>
public static class TurnCredentials
{
    /// <summary>The expiry is rounded up to the next half-lifetime step, so asking again within a step gives the same
    /// username: the TURN server's per-user allocation quota then holds however often a client asks.</summary>
    public static IceServerConfig For(TurnOptions turn, string participantId, DateTimeOffset now)
    {
        var step = RefreshSeconds(turn);
        var expiry = (now.AddMinutes(turn.CredentialMinutes).ToUnixTimeSeconds() + step - 1) / step * step;
        var username = $"{expiry}:{participantId}";
        return new IceServerConfig(turn.Urls, username, Password(turn.Secret!, username));
    }

    /// <summary>How often a page in a call asks for fresh credentials: half their lifetime, so those it holds always
    /// have half of it left.</summary>
    public static int RefreshSeconds(TurnOptions turn) => Math.Max(30, turn.CredentialMinutes * 30);

    public static string Password(string secret, string username) =>
        Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(username)));
}

/// <summary>The ICE settings a browser gets with its join: the configured STUN/TURN servers, TURN credentials of its
/// own, and whether media may only go through TURN.</summary>
public static class IceSettings
{
    public const string Relay = "relay", All = "all";

    public static IceServerConfig[] ServersFor(SignalingOptions signaling, TurnOptions turn, string participantId, DateTimeOffset now) =>
        turn.Configured ? [.. signaling.IceServers, TurnCredentials.For(turn, participantId, now)] : signaling.IceServers;

    /// <summary>Seconds after which a page should ask for fresh TURN credentials; 0 when it holds none.</summary>
    public static int RefreshSeconds(TurnOptions turn) => turn.Configured ? TurnCredentials.RefreshSeconds(turn) : 0;

    /// <summary>Why these settings cannot work, or null: relay-only needs a TURN server, and the policy has two values.</summary>
    public static string? Problem(SignalingOptions signaling, TurnOptions turn) => signaling.IceTransportPolicy switch
    {
        Relay when !turn.Configured => "Signaling:IceTransportPolicy is \"relay\" but no TURN server is configured: set Turn:Urls and Turn:Secret.",
        Relay or All => null,
        var other => $"Signaling:IceTransportPolicy must be \"all\" or \"relay\", not \"{other}\".",
    };
}

internal sealed class IceSettingsValidation(IOptions<TurnOptions> turn) : IValidateOptions<SignalingOptions>
{
    public ValidateOptionsResult Validate(string? name, SignalingOptions options) =>
        IceSettings.Problem(options, turn.Value) is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;
}
