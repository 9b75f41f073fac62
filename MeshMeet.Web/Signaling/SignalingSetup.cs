using MeshMeet.Web.Presence;
using MeshMeet.Web.Rooms;
using MeshMeet.Web.Telemetry;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;

namespace MeshMeet.Web.Signaling;

/// <summary>Configuration section "Signaling".</summary>
public sealed class SignalingOptions
{
    /// <summary>STUN/TURN servers handed to browsers; empty by default (loopback and LAN need none).</summary>
    public IceServerConfig[] IceServers { get; set; } = [];
    /// <summary>"relay": browsers send media only through the TURN server (Turn:Urls), so no participant learns
    /// another's IP address; "all" (default): direct paths first.</summary>
    public string IceTransportPolicy { get; set; } = IceSettings.All;
    /// <summary>All of one sender's video uploads together, in kbit/s (a typical home uplink).</summary>
    public int UplinkBudgetKbps { get; set; } = 2500;
    /// <summary>How long a dropped participant keeps its seat and identity.</summary>
    public int ReconnectGraceSeconds { get; set; } = 10;
    /// <summary>The hub and the call page each send a ping after this long without another message.</summary>
    public int KeepAliveSeconds { get; set; } = 3;
    /// <summary>A call page that hears nothing from its instance for this long (several missed pings: the instance is
    /// frozen or cut off) reconnects, through the proxy, to any instance, and resumes its seat. Chosen with the
    /// cluster's timings: see the README's table.</summary>
    public int ServerTimeoutSeconds { get; set; } = 8;
    /// <summary>After the app starts, no seat expires for this long: the browsers of calls that outlived a restart
    /// are reconnecting and resume their seats.</summary>
    public int RestartGraceSeconds { get; set; } = 30;
    public int MaxSdpLength { get; set; } = 32 * 1024;
    /// <summary>Hub calls per connection: a burst of this many, refilled at <see cref="CallsPerSecond"/>.</summary>
    public int CallBurst { get; set; } = 200;
    public double CallsPerSecond { get; set; } = 50;
    /// <summary>Joins of one room by one browser (by its address, without the browser cookie): a burst, refilled per
    /// minute. Each join makes everyone else offer to the newcomer, so a join/leave loop must not run free.</summary>
    public int RejoinBurst { get; set; } = 10;
    public int RejoinsPerMinute { get; set; } = 6;
    /// <summary>Knocks on one room's lobby by one browser: a burst, refilled per minute (an address gets five times
    /// as many). Every knock rings at the host's.</summary>
    public int KnockBurst { get; set; } = 5;
    public int KnocksPerMinute { get; set; } = 2;
    /// <summary>How often the sweeper reconciles this instance's seats with the database when nothing made it look
    /// sooner (a failed drop write, Redis coming back): seats held by connections that are gone start their grace
    /// period, seats the database no longer gives this instance are revoked. It reads every seat of the instance, so
    /// it is not frequent: at 1,000 idle connections every 10 s it was a fifth of the app's idle CPU.</summary>
    public int ReconcileSeconds { get; set; } = 60;
}

public static class SignalingSetup
{
    public const string HubPath = "/hubs/signaling";

    public static IServiceCollection AddSignaling(this IServiceCollection services, IConfiguration config)
    {
        services.AddOptions<SignalingOptions>().Bind(config.GetSection("Signaling")).ValidateOnStart();
        services.Configure<TurnOptions>(config.GetSection("Turn"));
        // A relay-only policy without a TURN server would fail every call: refuse to start instead.
        services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<SignalingOptions>, IceSettingsValidation>();
        services.Configure<AddressLimitOptions>(config.GetSection("Signaling:PerAddress"));
        services.AddSingleton<AddressLimits>();
        services.AddRateLimiter(_ => { });
        services.AddOptions<Microsoft.AspNetCore.RateLimiting.RateLimiterOptions>()
            .Configure<Microsoft.Extensions.Options.IOptions<AddressLimitOptions>>((limiter, o) => AddressLimits.AddHubPolicy(limiter, o.Value));
        services.AddSignalR(o =>
            {
                // An SDP for audio+video is a few KB; 64 KB leaves room and still bounds what one message can cost.
                o.MaximumReceiveMessageSize = 64 * 1024;
                o.EnableDetailedErrors = false; // HubException messages still reach the client; nothing else does.
                o.AddFilter<HubTelemetryFilter>();
                o.AddFilter<HubStandingFilter>();
                o.AddFilter<HubRateLimitFilter>();
                o.AddFilter<HubErrorFilter>();
            })
            // Absent rather than null: browsers read {"username": null} in an RTCIceServer as the string "null".
            .AddJsonProtocol(o => o.PayloadSerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull);
        // Pings often enough that a page notices a silent instance long before the cluster gives its seat up. The
        // server's own patience with clients stays at SignalR's default (30 s): other clients ping every 15 s.
        services.AddOptions<HubOptions>().Configure<Microsoft.Extensions.Options.IOptions<SignalingOptions>>((hub, o) =>
            hub.KeepAliveInterval = TimeSpan.FromSeconds(o.Value.KeepAliveSeconds));
        services.AddSingleton<HubRateLimitFilter>();
        services.AddSingleton<HubErrorFilter>();
        // HubErrorFilter logs hub method failures by what they are; the dispatcher would log refusals as errors.
        services.AddLogging(l => l.AddFilter("Microsoft.AspNetCore.SignalR.Internal.DefaultHubDispatcher", LogLevel.Critical));
        services.AddSingleton<HubTelemetryFilter>();
        services.AddSingleton<HubStandingFilter>();
        services.AddSingleton<InstanceStanding>();
        services.AddSingleton<SeatRegistry>();
        services.AddSingleton<ILiveCounts>(sp => sp.GetRequiredService<SeatRegistry>());
        services.AddSingleton<SeatRevoker>();
        services.AddSingleton<BrowserIds>();
        services.AddSingleton<RosterLookup>();
        services.AddSingleton<CallNotifier>();
        services.AddScoped<IRoomCalls, RoomCalls>();
        services.AddScoped<LobbyBoard>();
        services.AddHostedService<PresenceSweeper>();
        return services;
    }

    public static IEndpointRouteBuilder MapSignaling(this IEndpointRouteBuilder app)
    {
        app.MapHub<SignalingHub>(HubPath, o =>
        {
            o.Transports = HttpTransportType.WebSockets | HttpTransportType.ServerSentEvents | HttpTransportType.LongPolling;
            // A host's rights end with the token or sign-in the connection was opened with; guests are not signed in.
            o.CloseOnAuthenticationExpiration = true;
        }).RequireRateLimiting(AddressLimits.HubPolicy);
        return app;
    }
}
