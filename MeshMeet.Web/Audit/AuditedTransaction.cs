using Marten;
using MeshMeet.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace MeshMeet.Web.Audit;

/// <summary>
/// Runs a state change and the audit events that record it in ONE PostgreSQL transaction: EF Core opens it, Marten's
/// session joins it, and nothing is visible unless both succeed.
/// </summary>
public sealed class AuditedTransaction(MeshMeetDb db, IDocumentStore store)
{
    public async Task<T> RunAsync<T>(Func<IDocumentSession, Task<T>> work, CancellationToken ct = default)
    {
        // Retrying execution strategies cannot wrap user transactions; Npgsql's default one does not retry.
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var npgsqlTransaction = (NpgsqlTransaction)transaction.GetDbTransaction();
        await using var session = store.LightweightSession(Marten.Services.SessionOptions.ForTransaction(npgsqlTransaction));
        // EF would wrap its SaveChanges in a savepoint (two extra round trips per change) so that a failed save could be
        // retried inside the transaction; nothing here retries, a failure rolls back the whole change.
        db.Database.AutoSavepointsEnabled = false;
        var result = await work(session);
        await db.SaveChangesAsync(ct);
        await session.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return result;
    }
}
