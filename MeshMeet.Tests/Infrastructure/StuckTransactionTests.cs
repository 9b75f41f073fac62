using System.Diagnostics;
using MeshMeet.Tests.Support;
using MeshMeet.Web.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace MeshMeet.Tests.Infrastructure;

/// <summary>
/// An instance frozen (or cut off) in the middle of a transaction keeps the rows it locked only briefly: the app's
/// connections ask PostgreSQL to end a transaction left idle, so the other instances' joins in that room go on.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class StuckTransactionTests(MeshMeetApp app)
{
    [Fact]
    public async Task A_lock_held_by_a_transaction_left_idle_is_released_within_seconds_and_that_transaction_fails()
    {
        var source = app.Services.GetRequiredService<NpgsqlDataSource>();
        var key = Random.Shared.NextInt64();
        // The "frozen" instance: takes a lock in a transaction, then does nothing.
        await using var frozen = await source.OpenConnectionAsync();
        await using var transaction = await frozen.BeginTransactionAsync();
        await using (var take = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({key})", frozen, transaction)) await take.ExecuteNonQueryAsync();

        // A live instance waits for the same lock, and gets it once PostgreSQL has ended the idle transaction.
        var clock = Stopwatch.StartNew();
        await using (var live = await source.OpenConnectionAsync())
        {
            await using var wait = new NpgsqlCommand($"SELECT pg_advisory_lock({key}); SELECT pg_advisory_unlock({key})", live) { CommandTimeout = 10 };
            await wait.ExecuteNonQueryAsync();
        }
        Assert.InRange(clock.Elapsed, DatabaseSetup.IdleTransactionTimeout - TimeSpan.FromSeconds(1), DatabaseSetup.IdleTransactionTimeout + TimeSpan.FromSeconds(3));

        // When the frozen instance goes on, its transaction is gone: nothing it does after the freeze is committed.
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => transaction.CommitAsync());
    }
}
