using Microsoft.AspNetCore.SignalR;

namespace MeshMeet.Web.Signaling;

/// <summary>
/// An instance out of standing (<see cref="InstanceStanding"/>: frozen past its lease, or back from losing Redis and
/// not yet reconciled) does nothing for anyone: its seats may be someone else's by now, and a kick sent to it may have
/// been lost. Every hub method is refused in words, before it relays or changes anything; the browser's page then
/// carries on peer to peer, and its SignalR connection is closed for reconnecting if the others declared this instance
/// dead meanwhile.
/// </summary>
internal sealed class HubStandingFilter(InstanceStanding standing) : IHubFilter
{
    public const string Refusal = "This server is catching up with the others after a network problem. Nothing was changed; try again in a few seconds.";

    public ValueTask<object?> InvokeMethodAsync(HubInvocationContext context, Func<HubInvocationContext, ValueTask<object?>> next) =>
        standing.InStanding ? next(context) : throw new HubException(Refusal);
}

/// <summary>The hub endpoint of an instance out of standing answers 503 to new connections (and to long polls), so
/// the proxy tries the next instance (deploy/nginx.conf: <c>proxy_next_upstream ... http_503</c>).</summary>
public static class InstanceStandingEndpoint
{
    public static IApplicationBuilder UseInstanceStanding(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        if (http.Request.Path.StartsWithSegments(SignalingSetup.HubPath)
            && http.RequestServices.GetRequiredService<InstanceStanding>().Problem is { } problem)
        {
            http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            http.Response.Headers.RetryAfter = "2";
            await http.Response.WriteAsync($"This instance is not serving calls right now: {problem}.");
            return;
        }
        await next(http);
    });
}
