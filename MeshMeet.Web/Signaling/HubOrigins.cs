namespace MeshMeet.Web.Signaling;

/// <summary>
/// Browsers send the Identity cookie with a cross-site WebSocket, so a page on another origin could act as a signed-in
/// host (kick, end, unlock). The hub therefore admits a browser only from the app's own origin or one listed in
/// <c>AllowedOrigins</c>; clients without an Origin header (not browsers: .NET or CLI clients with a bearer token) are
/// unaffected, since a cookie is not what authenticates them.
/// </summary>
public static class HubOrigins
{
    /// <summary>Pure rule: may a request with this Origin header use the hub of the app at scheme://host?</summary>
    public static bool IsAllowed(string? origin, string scheme, string host, IReadOnlyCollection<string> allowed)
    {
        if (string.IsNullOrEmpty(origin)) return true;
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var o)) return false;
        var own = $"{scheme}://{host}";
        return Same(o, own) || allowed.Any(a => Same(o, a));
    }

    private static bool Same(Uri origin, string other) =>
        Uri.TryCreate(other, UriKind.Absolute, out var u)
        && string.Equals(origin.Scheme, u.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(origin.Host, u.Host, StringComparison.OrdinalIgnoreCase)
        && origin.Port == u.Port;

    /// <summary>403 for negotiate, WebSocket upgrade and every other request under the hub's path from a foreign origin.</summary>
    public static IApplicationBuilder UseHubOriginCheck(this IApplicationBuilder app, IConfiguration config)
    {
        var allowed = config.GetSection("AllowedOrigins").Get<string[]>() ?? [];
        return app.Use((http, next) =>
        {
            if (http.Request.Path.StartsWithSegments(SignalingSetup.HubPath)
                && !IsAllowed(http.Request.Headers.Origin, http.Request.Scheme, http.Request.Host.Value ?? "", allowed))
            {
                http.Response.StatusCode = StatusCodes.Status403Forbidden;
                return Task.CompletedTask;
            }
            return next(http);
        });
    }
}
