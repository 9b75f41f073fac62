using MeshMeet.Web.Infrastructure;
using Microsoft.AspNetCore.SignalR;

namespace MeshMeet.Web.Signaling;

/// <summary>
/// What a failed hub call logs and says. A refusal a person can read (<see cref="HubException"/>) and a call cut short
/// because its connection closed are not faults: no error entry, no stack trace (SignalR's own dispatcher would log
/// every one at error level, so its category is turned down in <see cref="SignalingSetup"/> and this filter logs
/// instead). A database outage reaches clients as words ("try again"), its transaction rolled back. Anything else is
/// a real fault and logs at error level with its stack trace.
/// </summary>
internal sealed partial class HubErrorFilter(ILogger<HubErrorFilter> log) : IHubFilter
{
    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext context, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        try
        {
            return await next(context);
        }
        catch (HubException)
        {
            throw;
        }
        catch (OperationCanceledException) when (context.Context.ConnectionAborted.IsCancellationRequested)
        {
            throw; // nobody is listening for the answer any more
        }
        catch (Exception e) when (DatabaseHealthCheck.IsDatabaseFailure(e))
        {
            LogUnavailable(context.HubMethodName, "database", DatabaseHealthCheck.Reason(e));
            throw new HubException("The server cannot reach its database right now. Nothing was changed; try again in a moment.");
        }
        catch (Exception e) when (e is StackExchange.Redis.RedisException or StackExchange.Redis.RedisTimeoutException)
        {
            // Redis went away under this call, before the instance fell out of standing (HubStandingFilter).
            LogUnavailable(context.HubMethodName, "Redis", e.Message);
            throw new HubException(HubStandingFilter.Refusal);
        }
        catch (Exception e)
        {
            LogFault(context.HubMethodName, e);
            throw;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Hub method {Method} failed: {Dependency} unavailable ({Reason})")]
    private partial void LogUnavailable(string method, string dependency, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Hub method {Method} failed")]
    private partial void LogFault(string method, Exception e);
}
