using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace MeshMeet.Web.Infrastructure;

public static class HealthSetup
{
    /// <summary>/health checks the database (and ClusterSetup adds Redis); failures are logged as they start and end.</summary>
    public static IServiceCollection AddHealth(this IServiceCollection services)
    {
        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database", tags: ["ready"], timeout: HealthTimings.CheckTimeout);
        services.AddSingleton<IHealthCheckPublisher, HealthTransitions>();
        services.Configure<HealthCheckPublisherOptions>(o => (o.Delay, o.Period) = (TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5)));
        services.AddLogging(l => l.AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks.DefaultHealthCheckService", LogLevel.Critical));
        return services;
    }
}

/// <summary>How long a health check may take: a probe (an orchestrator's, a proxy's) gets its answer within a
/// second whatever is down.</summary>
public static class HealthTimings
{
    public static readonly TimeSpan CheckTimeout = TimeSpan.FromMilliseconds(800);
}

/// <summary>/health is healthy only when PostgreSQL answers a query within <see cref="HealthTimings.CheckTimeout"/>.</summary>
internal sealed class DatabaseHealthCheck(NpgsqlDataSource dataSource) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(HealthTimings.CheckTimeout);
            await using var command = dataSource.CreateCommand("SELECT 1");
            await command.ExecuteScalarAsync(timeout.Token);
            return HealthCheckResult.Healthy();
        }
        catch (Exception e) when (IsDatabaseFailure(e) || e is OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy($"The database does not answer: {Reason(e)}");
        }
    }

    /// <summary>What went wrong, in one line for a warning: the innermost message (EF Core wraps a dropped connection
    /// in "An exception has been raised that is likely due to a transient failure").</summary>
    public static string Reason(Exception e) => e.GetBaseException().Message;

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
/// Health as an operator's log should show it: one warning when a check starts failing, one line when it passes
/// again, nothing for every probe in between. (ASP.NET Core logs each failing probe as an error with the exception:
/// expected outages, a Redis restart or a database failover, would page someone every few seconds. That logger is
/// silenced in <see cref="HealthSetup"/>.)
/// </summary>
internal sealed partial class HealthTransitions(ILogger<HealthTransitions> log) : IHealthCheckPublisher
{
    private readonly Dictionary<string, HealthStatus> _last = [];

    /// <summary>A probe's report counts too: the transition is logged as soon as anyone looks.</summary>
    public static Task WriteAsync(HttpContext http, HealthReport report)
    {
        http.RequestServices.GetServices<IHealthCheckPublisher>().OfType<HealthTransitions>().FirstOrDefault()?.PublishAsync(report, default);
        http.Response.ContentType = "text/plain";
        return http.Response.WriteAsync(report.Status.ToString()); // what the default writer says
    }

    public Task PublishAsync(HealthReport report, CancellationToken ct)
    {
        lock (_last)
        {
            foreach (var (name, entry) in report.Entries)
            {
                var was = _last.GetValueOrDefault(name, HealthStatus.Healthy);
                _last[name] = entry.Status;
                if (was == entry.Status) continue;
                if (entry.Status == HealthStatus.Healthy) LogPassing(name);
                else LogFailing(name, entry.Description ?? entry.Status.ToString());
            }
        }
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Health check {Check} is failing: {Description}")]
    private partial void LogFailing(string check, string description);

    [LoggerMessage(Level = LogLevel.Information, Message = "Health check {Check} passes again")]
    private partial void LogPassing(string check);
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
