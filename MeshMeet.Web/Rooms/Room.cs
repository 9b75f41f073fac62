using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace MeshMeet.Web.Rooms;

/// <summary>EF entity; never leaves the Rooms feature (views and JSON get <see cref="RoomView"/>).</summary>
public sealed class Room
{
    /// <summary>Internal key, also the id of the room's audit stream.</summary>
    public Guid Id { get; set; }
    /// <summary>The unguessable id in the link /r/{PublicId}.</summary>
    public required string PublicId { get; set; }
    public required string Name { get; set; }
    public int Capacity { get; set; }
    public required string OwnerId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public bool Locked { get; set; }
    /// <summary>"Ask to join": guests wait in the lobby until the host or a co-host lets them in.</summary>
    public bool Lobby { get; set; }
    /// <summary>"Ask to unmute": a person the host muted stays muted until the host allows them to speak.</summary>
    public bool AskToUnmute { get; set; }
    /// <summary>The host turned local recording off for this room (on by default: everyone is told who records).</summary>
    public bool RecordingOff { get; set; }
}

internal sealed class RoomConfiguration : IEntityTypeConfiguration<Room>
{
    public void Configure(EntityTypeBuilder<Room> room)
    {
        room.ToTable("rooms");
        room.HasKey(r => r.Id);
        room.HasIndex(r => r.PublicId).IsUnique();
        room.HasIndex(r => r.OwnerId);
        room.Property(r => r.PublicId).HasMaxLength(32);
        room.Property(r => r.Name).HasMaxLength(200);
        room.HasOne<Microsoft.AspNetCore.Identity.IdentityUser>().WithMany().HasForeignKey(r => r.OwnerId).OnDelete(DeleteBehavior.Cascade);
    }
}
