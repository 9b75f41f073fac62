using MeshMeet.Web.Cluster;
using MeshMeet.Web.Rooms;
using MeshMeet.Web.Signaling;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace MeshMeet.Web.Infrastructure;

/// <summary>The relational state: Identity, rooms, live participants, the app instances serving them and the Data
/// Protection keys they share. The audit log lives in Marten.</summary>
public sealed class MeshMeetDb(DbContextOptions<MeshMeetDb> options) : IdentityDbContext<IdentityUser>(options), IDataProtectionKeyContext
{
    public DbSet<Room> Rooms => Set<Room>();
    public DbSet<Participant> Participants => Set<Participant>();
    public DbSet<RoomBan> RoomBans => Set<RoomBan>();
    public DbSet<ServerInstance> Instances => Set<ServerInstance>();
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(MeshMeetDb).Assembly);
    }
}
