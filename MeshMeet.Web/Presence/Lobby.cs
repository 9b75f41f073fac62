using MeshMeet.Web.Infrastructure;
using MeshMeet.Web.Rooms;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace MeshMeet.Web.Presence;

/// <summary>
/// A guest asking to enter a room that asks to join ("lobby"): not a participant (no seat, no signaling, nobody's
/// media), only a name and the connection that waits. Kept in PostgreSQL like the seats, so that a host on another
/// instance sees it. Once decided the row stays a while: an admitted one holds the ticket the guest joins with, a
/// denied one keeps that browser from knocking again too soon.
/// </summary>
public sealed class LobbyKnock
{
    /// <summary>128-bit CSPRNG id, what the host's Admit and Deny name.</summary>
    public required string Id { get; set; }
    public Guid RoomId { get; set; }
    public required string DisplayName { get; set; }
    /// <summary>The waiting connection, and the instance that holds it.</summary>
    public string? ConnectionId { get; set; }
    public string? InstanceId { get; set; }
    /// <summary>Hash of the browser's signed cookie id, and of its address: what a denial's cooldown is keyed by.</summary>
    public string? BrowserHash { get; set; }
    public required string AddressHash { get; set; }
    public DateTimeOffset Since { get; set; }
    /// <summary>When the host decided; null while waiting.</summary>
    public DateTimeOffset? DecidedAt { get; set; }
    /// <summary>SHA-256 of the admission ticket (admitted); null while waiting or when denied.</summary>
    public string? TicketHash { get; set; }
    public bool Denied { get; set; }
}

/// <summary>Who waits in a lobby, as the host's list shows it.</summary>
public sealed record Knocker(string Id, string DisplayName, DateTimeOffset Since);

/// <summary>Pure rules of the lobby: the words, and which decided knocks still count.</summary>
public static class LobbyRules
{
    public const string DeniedWords = "The host didn't let you in.";
    public const string KnockingTooOften = "You have asked to join this room too often. Wait a few minutes, then try again.";
    /// <summary>A ticket not used within this long (the guest closed the page) is void.</summary>
    public static readonly TimeSpan TicketLife = TimeSpan.FromMinutes(10);

    /// <summary>A denial keeps the same browser (or, without a browser id, the same address) from asking again for the
    /// cooldown.</summary>
    public static bool DeniedRecently(LobbyKnock k, string? browserHash, string addressHash, DateTimeOffset now, TimeSpan cooldown) =>
        k.Denied && k.DecidedAt > now - cooldown
        && (browserHash is not null ? k.BrowserHash == browserHash : k.AddressHash == addressHash);

    /// <summary>An admission ticket lets its holder in once, within its life.</summary>
    public static bool Admits(LobbyKnock k, string? ticketHash, DateTimeOffset now) =>
        ticketHash is not null && !k.Denied && k.TicketHash == ticketHash && k.DecidedAt > now - TicketLife;

    /// <summary>A decided knock that no longer counts for anything.</summary>
    public static bool Spent(LobbyKnock k, DateTimeOffset now, TimeSpan cooldown) =>
        k.DecidedAt is { } at && at < now - (k.Denied ? cooldown : TicketLife);
}

public static class LobbyData
{
    /// <summary>Who is waiting in a room's lobby, longest first.</summary>
    public static Task<List<Knocker>> WaitingAsync(this MeshMeetDb db, Guid roomId, CancellationToken ct = default) =>
        db.LobbyKnocks.Where(k => k.RoomId == roomId && k.DecidedAt == null).OrderBy(k => k.Since)
            .Select(k => new Knocker(k.Id, k.DisplayName, k.Since)).ToListAsync(ct);

    /// <summary>The waiting knock of a connection that closed goes; false if there was none.</summary>
    public static async Task<bool> WithdrawAsync(this MeshMeetDb db, string knockId, CancellationToken ct = default) =>
        await db.LobbyKnocks.Where(k => k.Id == knockId && k.DecidedAt == null).ExecuteDeleteAsync(ct) > 0;
}

internal sealed class LobbyKnockConfiguration : IEntityTypeConfiguration<LobbyKnock>
{
    public void Configure(EntityTypeBuilder<LobbyKnock> k)
    {
        k.ToTable("lobby_knocks");
        k.HasKey(x => x.Id);
        k.Property(x => x.Id).HasMaxLength(32);
        k.Property(x => x.DisplayName).HasMaxLength(200);
        k.Property(x => x.ConnectionId).HasMaxLength(64);
        k.Property(x => x.InstanceId).HasMaxLength(32);
        k.Property(x => x.BrowserHash).HasMaxLength(64);
        k.Property(x => x.AddressHash).HasMaxLength(64);
        k.Property(x => x.TicketHash).HasMaxLength(64);
        k.HasIndex(x => x.RoomId);
        k.HasOne<Room>().WithMany().HasForeignKey(x => x.RoomId).OnDelete(DeleteBehavior.Cascade);
    }
}
