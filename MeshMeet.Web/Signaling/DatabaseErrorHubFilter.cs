using MeshMeet.Web.Infrastructure;
using Microsoft.AspNetCore.SignalR;

namespace MeshMeet.Web.Signaling;

/// <summary>
/// A database outage reaches hub clients as words ("try again"), not as SignalR's generic invocation error; the
/// transaction of the failed call was rolled back, so nothing is half-written.
/// </summary>
internal sealed partial class DatabaseErrorHubFilter(ILogger<DatabaseErrorHubFilter> log) : IHubFilter
{
    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext context, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        try
        {
            return await next(context);
        }
        catch (Exception e) when (e is not HubException && DatabaseHealthCheck.IsDatabaseFailure(e))
        {
            LogUnavailable(context.HubMethodName, e);
            throw new HubException("The server cannot reach its database right now. Nothing was changed; try again in a moment.");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Hub method {Method} failed: database unavailable")]
    private partial void LogUnavailable(string method, Exception e);
}
