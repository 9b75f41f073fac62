using MeshMeet.Web.Audit;
using MeshMeet.Web.Infrastructure;
using MeshMeet.Web.Rooms;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace MeshMeet.Web.Presence;

/// <summary>
/// Presence: one row per person in a call. Kept in PostgreSQL, not in process memory, so that a second app instance
/// (behind a SignalR backplane) sees the same rooms.
/// </summary>
public sealed class Participant
{
    /// <summary>128-bit CSPRNG id; never the SignalR connection id.</summary>
    public required string Id { get; set; }
    public Guid RoomId { get; set; }
    public required string DisplayName { get; set; }
    public bool IsHost { get; set; }
    /// <summary>The owner lets this participant moderate the call (Moderation's rule); it goes with the seat.</summary>
    public bool IsCohost { get; set; }
    /// <summary>The signed-in user behind this participant, if any.</summary>
    public string? UserId { get; set; }
    public bool AudioMuted { get; set; }
    public bool VideoMuted { get; set; }
    public bool HandRaised { get; set; }
    /// <summary>Recording the call on their own machine (Calls/Recording); everyone is told, newcomers before they join.</summary>
    public bool Recording { get; set; }
    /// <summary>The host muted this microphone (or camera) in a room that asks to unmute: it stays off until the host
    /// allows it (the hub refuses turning it on meanwhile, and the other pages keep it silent).</summary>
    public bool AudioHeld { get; set; }
    public bool VideoHeld { get; set; }
    /// <summary>Sending a screen in the pair's screen slot (newcomers read it from <c>peers</c>).</summary>
    public bool ScreenSharing { get; set; }
    /// <summary>The live SignalR connection; null while the participant is inside the reconnect grace period.</summary>
    public string? ConnectionId { get; set; }
    /// <summary>The app instance that holds <see cref="ConnectionId"/> (an instance of the Cluster feature).</summary>
    public string? InstanceId { get; set; }
    /// <summary>SHA-256 of the secret that lets the same browser resume this identity.</summary>
    public required string ReconnectTokenHash { get; set; }
    /// <summary>Hash of the browser's signed cookie id (the hub's signed browser cookie), barred with the token on a kick.</summary>
    public string? BrowserHash { get; set; }
    public DateTimeOffset JoinedAt { get; set; }
    public DateTimeOffset? DisconnectedAt { get; set; }
}

/// <summary>What a departure records besides itself: a recording under way ends with its recorder's seat.</summary>
public static class SeatEnd
{
    public static IEnumerable<IRoomEvent> RecordingEnd(this Participant p, string roomPublicId, string actorId, string actorName, DateTimeOffset at) =>
        p.Recording ? [new RecordingStopped(roomPublicId, p.Id, p.DisplayName, actorId, actorName, at)] : [];
}

/// <summary>A participant's live connection and the app instance that holds it.</summary>
public sealed record LiveConnection(string ParticipantId, string ConnectionId, string? InstanceId);

public static class ParticipantData
{
    extension(MeshMeetDb db)
    {
        /// <summary>Everyone seated in a call (Presence owns the table).</summary>
        public DbSet<Participant> Participants => db.Set<Participant>();
        /// <summary>Browsers barred from a room by a kick.</summary>
        public DbSet<RoomBan> RoomBans => db.Set<RoomBan>();
        /// <summary>Guests waiting in a room's lobby, and those recently let in or turned away.</summary>
        public DbSet<LobbyKnock> LobbyKnocks => db.Set<LobbyKnock>();
    }

    /// <summary>Where this participant's connection lives; null inside the reconnect grace period.</summary>
    public static LiveConnection? Live(this Participant p) =>
        p.ConnectionId is null ? null : new LiveConnection(p.Id, p.ConnectionId, p.InstanceId);
}

internal sealed class ParticipantConfiguration : IEntityTypeConfiguration<Participant>
{
    public void Configure(EntityTypeBuilder<Participant> p)
    {
        p.ToTable("participants");
        p.HasKey(x => x.Id);
        p.Property(x => x.Id).HasMaxLength(32);
        p.Property(x => x.DisplayName).HasMaxLength(200);
        p.Property(x => x.ConnectionId).HasMaxLength(64);
        p.Property(x => x.InstanceId).HasMaxLength(32);
        p.HasIndex(x => x.InstanceId);
        p.Property(x => x.ReconnectTokenHash).HasMaxLength(64);
        p.Property(x => x.BrowserHash).HasMaxLength(64);
        p.HasIndex(x => x.RoomId);
        p.HasIndex(x => x.ConnectionId).IsUnique();
        p.HasIndex(x => x.ReconnectTokenHash).IsUnique();
        p.HasIndex(x => x.DisconnectedAt);
        p.HasOne<Room>().WithMany().HasForeignKey(x => x.RoomId).OnDelete(DeleteBehavior.Cascade);
    }
}
