using System.Diagnostics;
using Marten;
using MeshMeet.Tests.Support;
using MeshMeet.Web.Audit;
using MeshMeet.Web.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace MeshMeet.Tests.Infrastructure;

/// <summary>Upgrades keep data: migrations applied to the previous release's schema with data in it, and a backup
/// (pg_dump of both schemas) restored into a new database.</summary>
public sealed class UpgradeTests
{
    /// <summary>The last migration of the release before this one (main at the previous landing).</summary>
    private const string PreviousRelease = "20261129093936_HandRaised";

    private sealed class AppOn(string database) : MeshMeetApp
    {
        protected override Task<string> DatabaseAsync() => Task.FromResult(database);
    }

    /// <summary>A host account, a room and its audit history, written as the previous release wrote them.</summary>
    private static async Task<(string Email, string RoomId)> PreviousReleaseWithDataAsync(string database)
    {
        await using (var db = new MeshMeetDb(new DbContextOptionsBuilder<MeshMeetDb>().UseNpgsql(database).Options))
            await db.GetService<IMigrator>().MigrateAsync(PreviousRelease);

        var email = $"old-host-{Guid.NewGuid():N}@meshmeet.test";
        var userId = Guid.NewGuid().ToString();
        var roomGuid = Guid.NewGuid();
        var roomId = SecureId.New();
        var at = DateTimeOffset.UtcNow.AddDays(-3);
        await using (var source = NpgsqlDataSource.Create(database))
        await using (var insert = source.CreateCommand("""
            INSERT INTO "AspNetUsers" ("Id", "UserName", "NormalizedUserName", "Email", "NormalizedEmail", "EmailConfirmed", "PasswordHash",
              "SecurityStamp", "ConcurrencyStamp", "PhoneNumberConfirmed", "TwoFactorEnabled", "LockoutEnabled", "AccessFailedCount")
            VALUES (@user, @email, upper(@email), @email, upper(@email), true, @hash, @stamp, @stamp, false, false, true, 0);
            INSERT INTO rooms ("Id", "PublicId", "Name", "Capacity", "OwnerId", "CreatedAt", "Locked")
            VALUES (@room, @public, 'Weekly sync', 4, @user, @at, false);
            INSERT INTO participants ("Id", "RoomId", "DisplayName", "IsHost", "UserId", "AudioMuted", "VideoMuted", "HandRaised",
              "ConnectionId", "ReconnectTokenHash", "JoinedAt")
            VALUES (@participant, @room, 'Old guest', false, NULL, true, false, true, 'old-connection', @token, @at);
            """))
        {
            insert.Parameters.AddWithValue("user", userId);
            insert.Parameters.AddWithValue("email", email);
            insert.Parameters.AddWithValue("hash", new PasswordHasher<IdentityUser>().HashPassword(new IdentityUser(email), MeshMeetApp.Password));
            insert.Parameters.AddWithValue("stamp", Guid.NewGuid().ToString());
            insert.Parameters.AddWithValue("room", roomGuid);
            insert.Parameters.AddWithValue("public", roomId);
            insert.Parameters.AddWithValue("at", at);
            insert.Parameters.AddWithValue("participant", SecureId.New());
            insert.Parameters.AddWithValue("token", new string('A', 64));
            await insert.ExecuteNonQueryAsync();
        }

        await using var store = DocumentStore.For(o =>
        {
            o.Connection(database);
            AuditSetup.Configure(o);
        });
        await using var session = store.LightweightSession();
        session.Events.StartStream(roomGuid,
            new RoomCreated(roomId, "Weekly sync", 4, userId, email, at),
            new ParticipantJoined(roomId, "p1", "Old guest", false, "p1", at.AddMinutes(1)),
            new ParticipantLeft(roomId, "p1", "Old guest", "left", "p1", at.AddMinutes(30)));
        await session.SaveChangesAsync();
        return (email, roomId);
    }

    /// <summary>What a person and an admin see of that data through the running app.</summary>
    private static async Task ExpectIntactAsync(MeshMeetApp app, string email, string roomId)
    {
        var token = await app.TokenAsync(email); // the account still signs in with its password
        using var http = app.BearerClient(token);
        var rooms = await http.GetStringAsync("/api/rooms");
        Assert.Contains(roomId, rooms);
        Assert.Contains("Weekly sync", rooms);
        await using var scope = app.Services.CreateAsyncScope();
        var timeline = await scope.ServiceProvider.GetRequiredService<AuditQueries>().TimelineAsync(roomId);
        Assert.Equal(["RoomCreated", "ParticipantJoined", "ParticipantLeft"], timeline.Select(e => e.Event).Take(3));
        Assert.Empty(await scope.ServiceProvider.GetRequiredService<MeshMeetDb>().Database.GetPendingMigrationsAsync());
        // The room still takes people.
        await using var guest = await CallClient.ConnectAsync(app);
        await guest.JoinAsync(roomId, "New guest");
    }

    [Fact]
    public async Task Upgrading_from_the_previous_release_keeps_accounts_rooms_and_audit_history()
    {
        var database = await TestDatabase.CreateAsync();
        var (email, roomId) = await PreviousReleaseWithDataAsync(database);

        await using var app = new AppOn(database);
        await app.InitializeAsync(); // applies this release's migrations at start-up

        await ExpectIntactAsync(app, email, roomId);
        // The old participant row took the new columns' defaults, and its seat (held by no live instance) waits to expire.
        Assert.Equal(0L, await TestDatabase.ScalarAsync<long>(database, """SELECT count(*) FROM participants WHERE "ConnectionId" = 'old-connection'"""));
    }

    [Fact]
    public async Task A_backup_of_both_schemas_restores_into_a_new_database_that_serves_the_same_data()
    {
        var original = await TestDatabase.CreateAsync();
        var (email, roomId) = await PreviousReleaseWithDataAsync(original);
        await using (var app = new AppOn(original)) await app.InitializeAsync();
        var dump = Path.GetTempFileName();
        try
        {
            // README, "Backup and restore": the same two commands.
            await PgAsync("pg_dump", original, "--format=custom", "--schema=public", "--schema=meshmeet_events", $"--file={dump}");
            var restored = await TestDatabase.CreateAsync();
            await PgAsync("pg_restore", restored, "--no-owner", $"--role={TestDatabase.AppRole}", "--clean", "--if-exists", dump);

            await using var app = new AppOn(restored);
            await app.InitializeAsync();
            await ExpectIntactAsync(app, email, roomId);
        }
        finally
        {
            File.Delete(dump);
        }
    }

    /// <summary>Runs a PostgreSQL client program as the cluster's superuser against a database.</summary>
    private static async Task PgAsync(string program, string database, params string[] args)
    {
        var target = new NpgsqlConnectionStringBuilder(TestDatabase.AsSuperuser(database));
        var bin = Environment.GetEnvironmentVariable("PGBIN") ?? "/usr/lib/postgresql/15/bin";
        var start = new ProcessStartInfo(Path.Combine(bin, program),
            ["--host", target.Host!, "--port", $"{target.Port}", "--username", target.Username!, "--dbname", target.Database!, .. args])
        { RedirectStandardError = true, RedirectStandardOutput = true };
        using var process = Process.Start(start)!;
        var errors = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{program} failed ({process.ExitCode}): {errors}");
    }
}
