using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace MeshMeet.Web.Infrastructure;

/// <summary>/health is healthy only when PostgreSQL answers a query within a few seconds.</summary>
internal sealed class DatabaseHealthCheck(NpgsqlDataSource dataSource) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(3));
            await using var command = dataSource.CreateCommand("SELECT 1");
            await command.ExecuteScalarAsync(timeout.Token);
            return HealthCheckResult.Healthy();
        }
        catch (Exception e) when (IsDatabaseFailure(e) || e is OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("The database does not answer.", e);
        }
    }

    public static bool IsDatabaseFailure(Exception e) =>
        e is NpgsqlException or TimeoutException || e.InnerException is { } inner && IsDatabaseFailure(inner);
}

/// <summary>
/// A database outage becomes a 503 with words a person can read: ProblemDetails for the API; pages fall through to
/// the error page, which says the same.
/// </summary>
internal sealed class DatabaseUnavailableHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        if (!DatabaseHealthCheck.IsDatabaseFailure(exception)) return false;
        http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        if (!http.Request.Path.StartsWithSegments("/api")) return false;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "The database is unavailable",
                Detail = "Nothing was changed. Try again in a moment.",
            },
        });
    }
}
