using MeshMeet.Web.Rooms;
using MeshMeet.Web.Signaling;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace MeshMeet.Web.Infrastructure;

/// <summary>The relational state: Identity, rooms and live participants. The audit log lives in Marten.</summary>
public sealed class MeshMeetDb(DbContextOptions<MeshMeetDb> options) : IdentityDbContext<IdentityUser>(options)
{
    public DbSet<Room> Rooms => Set<Room>();
    public DbSet<Participant> Participants => Set<Participant>();
    public DbSet<RoomBan> RoomBans => Set<RoomBan>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(MeshMeetDb).Assembly);
    }
}
