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

    /// <summary>True when the database cannot be reached (as opposed to a query it refused): I/O failures,
    /// timeouts, server shutdown, a database that is gone or not accepting connections.</summary>
    public static bool IsDatabaseFailure(Exception e) => e switch
    {
        PostgresException p => p.IsTransient || p.SqlState is PostgresErrorCodes.InvalidCatalogName or PostgresErrorCodes.ObjectNotInPrerequisiteState,
        NpgsqlException or TimeoutException => true,
        _ => e.InnerException is { } inner && IsDatabaseFailure(inner),
    };
}

/// <summary>
/// API failures become ProblemDetails with words a person can read (503 when the database is out of reach, else
/// 500); pages fall through to the error page, which says the same in HTML.
/// </summary>
internal sealed class ApiErrorHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        var unavailable = DatabaseHealthCheck.IsDatabaseFailure(exception);
        http.Response.StatusCode = unavailable ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status500InternalServerError;
        if (!http.Request.Path.StartsWithSegments("/api")) return false;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            Exception = exception,
            ProblemDetails = new ProblemDetails
            {
                Status = http.Response.StatusCode,
                Title = unavailable ? "The database is unavailable" : "The server failed to finish the request",
                Detail = "Nothing was changed. Try again in a moment.",
            },
        });
    }
}
