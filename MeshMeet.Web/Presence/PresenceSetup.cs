using Microsoft.Extensions.Options;

namespace MeshMeet.Web.Presence;

/// <summary>Presence's settings, read from the "Signaling" section (where they have always been configured).</summary>
public sealed class PresenceOptions
{
    /// <summary>After a room's first refused join, the others within this many seconds are recorded as one event.</summary>
    public int RefusalWindowSeconds { get; set; } = 60;
    /// <summary>A guest the host turned away from the lobby cannot ask again in that room for this long.</summary>
    public int LobbyDenyCooldownSeconds { get; set; } = 300;
}

/// <summary>The call core: who is seated where, admission and departures, in PostgreSQL. It knows nothing of the hub
/// that carries its decisions to browsers (Signaling), nor of other instances (Cluster).</summary>
public static class PresenceSetup
{
    public static IServiceCollection AddPresence(this IServiceCollection services, IConfiguration config)
    {
        services.Configure<PresenceOptions>(config.GetSection("Signaling"));
        services.AddScoped<Admission>();
        services.AddScoped<Departures>();
        services.AddSingleton<JoinQueue>();
        services.AddSingleton(sp => new RefusalTally(TimeSpan.FromSeconds(sp.GetRequiredService<IOptions<PresenceOptions>>().Value.RefusalWindowSeconds)));
        return services;
    }
}
