using System.Net;
using MeshMeet.Web.Infrastructure;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace MeshMeet.Web.Telemetry;

/// <summary>
/// OpenTelemetry: metrics (MeshMeet's own, ASP.NET Core, HTTP client, .NET runtime, Npgsql) served as Prometheus text
/// at /metrics to loopback or the addresses in <c>Metrics:AllowFrom</c>; traces (HTTP requests, hub calls, their
/// database commands) and metrics exported over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set.
/// </summary>
public static class TelemetrySetup
{
    public const string MetricsPath = "/metrics";

    public static IServiceCollection AddTelemetry(this IServiceCollection services, IConfiguration config)
    {
        services.AddSingleton<MeshMeetMetrics>();
        var otlp = !string.IsNullOrEmpty(config["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("meshmeet"))
            .WithMetrics(m => m
                .AddMeter(MeshMeetMetrics.Name)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddNpgsqlInstrumentation()
                .AddPrometheusExporter());
        // Spans cost something on every request: recorded only when there is somewhere to send them.
        if (otlp)
        {
            telemetry.WithTracing(t => t
                .AddSource(MeshMeetMetrics.Name)
                .AddAspNetCoreInstrumentation(o => o.Filter = http => !http.Request.Path.StartsWithSegments(MetricsPath))
                .AddHttpClientInstrumentation()
                .AddNpgsql());
            telemetry.UseOtlpExporter();
        }
        return services;
    }

    /// <summary>/metrics, for loopback (a scraper on the same host or behind the local proxy) and Metrics:AllowFrom.</summary>
    public static IApplicationBuilder UseMetricsEndpoint(this IApplicationBuilder app, IConfiguration config)
    {
        var allowed = (config.GetSection("Metrics:AllowFrom").Get<string[]>() ?? []).Select(System.Net.IPNetwork.Parse).ToList();
        app.UseWhen(http => http.Request.Path.StartsWithSegments(MetricsPath), branch =>
        {
            branch.Use(async (http, next) =>
            {
                var from = http.Connection.RemoteIpAddress;
                if (from is null || !(IPAddress.IsLoopback(from) || allowed.Any(n => n.Contains(from.IsIPv4MappedToIPv6 ? from.MapToIPv4() : from))))
                {
                    http.Response.StatusCode = StatusCodes.Status404NotFound;
                    return;
                }
                await next(http);
            });
            branch.UseOpenTelemetryPrometheusScrapingEndpoint();
        });
        return app;
    }
}
