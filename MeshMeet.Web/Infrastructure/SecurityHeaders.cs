namespace MeshMeet.Web.Infrastructure;

public static class SecurityHeaders
{
    // No inline script or style anywhere: scripts are ES modules from our own origin. 'self' in connect-src covers
    // the SignalR WebSocket on the same host; media-src allows the MediaStream blobs of the call. 'wasm-unsafe-eval'
    // lets the page compile WebAssembly (background blur's segmentation, noise suppression's RNNoise) from our own
    // files; it does not allow eval or new Function.
    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; media-src 'self' blob: mediastream:; " +
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use((http, next) =>
    {
        var headers = http.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers["Permissions-Policy"] = "camera=(self), microphone=(self), display-capture=(self)";
        return next(http);
    });
}
