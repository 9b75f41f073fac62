using MeshMeet.Web.Rooms;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace MeshMeet.Web.Presence;

/// <summary>A kicked browser's reconnect token, barred from the room it was kicked from.</summary>
public sealed class RoomBan
{
    public Guid RoomId { get; set; }
    public required string TokenHash { get; set; }
    public DateTimeOffset At { get; set; }
}

internal sealed class RoomBanConfiguration : IEntityTypeConfiguration<RoomBan>
{
    public void Configure(EntityTypeBuilder<RoomBan> b)
    {
        b.ToTable("room_bans");
        b.HasKey(x => new { x.RoomId, x.TokenHash });
        b.Property(x => x.TokenHash).HasMaxLength(64);
        b.HasOne<Room>().WithMany().HasForeignKey(x => x.RoomId).OnDelete(DeleteBehavior.Cascade);
    }
}
