using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace MeshMeet.Web.Infrastructure;

/// <summary>The relational state in one context (one connection, one transaction with Marten): Identity and the Data
/// Protection keys here; every feature maps its own entities (an <see cref="IEntityTypeConfiguration{T}"/> in its
/// folder) and reaches them through an extension property of its own (<c>db.Rooms</c>, <c>db.Participants</c>), so
/// this class names no feature. The audit log lives in Marten.</summary>
public sealed class MeshMeetDb(DbContextOptions<MeshMeetDb> options) : IdentityDbContext<IdentityUser>(options), IDataProtectionKeyContext
{
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(MeshMeetDb).Assembly);
    }
}
