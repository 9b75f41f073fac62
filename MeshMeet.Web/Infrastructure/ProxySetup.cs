using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.HttpOverrides;

namespace MeshMeet.Web.Infrastructure;

/// <summary>
/// Behind a reverse proxy (nginx terminating TLS) the app sees the proxy's address and plain http. X-Forwarded-For and
/// X-Forwarded-Proto are believed only from the proxies listed in configuration "Proxy" (loopback is always one), so
/// per-address limits count real clients, cookies are Secure, join links start with https:// and HSTS is sent; a
/// client that sends those headers itself changes nothing.
/// </summary>
public static class ProxySetup
{
    public static IServiceCollection AddProxySupport(this IServiceCollection services, IConfiguration config)
    {
        var proxies = config.GetSection("Proxy:KnownProxies").Get<string[]>() ?? [];
        var networks = config.GetSection("Proxy:KnownNetworks").Get<string[]>() ?? [];
        services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            // Loopback stays known (the defaults); a proxy on another host must be listed.
            foreach (var p in proxies) o.KnownProxies.Add(IPAddress.Parse(p));
            foreach (var n in networks) o.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(n));
        });
        services.AddHsts(o => o.MaxAge = TimeSpan.FromDays(365));
        // The antiforgery cookie is Secure whenever the request came over TLS (its default is never).
        services.AddAntiforgery(o => o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest);
        return services;
    }

    /// <summary>First in the pipeline: everything after sees the client's address and scheme.</summary>
    public static IApplicationBuilder UseProxySupport(this IApplicationBuilder app, IHostEnvironment env)
    {
        app.UseForwardedHeaders();
        // HSTS only on https requests and never for localhost (the middleware's own rules); not in Development, where
        // a browser would remember it for the developer's other local sites.
        if (!env.IsDevelopment()) app.UseHsts();
        return app;
    }
}
