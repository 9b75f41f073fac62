using MeshMeet.Web.Calls.Recording;
using MeshMeet.Web.Accounts;
using MeshMeet.Web.Admin;
using MeshMeet.Web.Audit;
using MeshMeet.Web.Cluster;
using MeshMeet.Web.Infrastructure;
using MeshMeet.Web.Moderation;
using MeshMeet.Web.Presence;
using MeshMeet.Web.Rooms;
using MeshMeet.Web.Signaling;
using MeshMeet.Web.Telemetry;

var builder = WebApplication.CreateBuilder(args);
// Run from a build rather than a publish (scripts/run, the tests): the build's static web assets manifest says where
// the files and their precompressed copies are. Development does this by itself; a publish has them in wwwroot.
if (File.Exists(Path.Combine(AppContext.BaseDirectory, $"{builder.Environment.ApplicationName}.staticwebassets.runtime.json")))
    builder.WebHost.UseStaticWebAssets();

// One PostgreSQL database: EF Core for Identity, rooms and presence; Marten for the audit log, sharing transactions.
builder.Services.AddMeshMeetDatabase(builder.Configuration);
// Several instances on one database: instance heartbeats, Redis notices and backplane, shared Data Protection keys.
builder.Services.AddCluster(builder.Configuration);
// Behind a TLS proxy: the client's real address and scheme, from known proxies only.
builder.Services.AddProxySupport(builder.Configuration);
builder.Services.AddAudit();

// Host accounts: Identity cookies for pages, JWT bearer for API clients, one Admin seeded from configuration.
builder.Services.AddAccounts(builder.Configuration, builder.Environment);

// Features.
builder.Services.AddRooms();
// The call: presence (who is seated where, in the database), the hub that carries it to browsers, the host's actions.
// Call features (Calls/Chat, Calls/Hands ...) add their hub methods to the hub's partial class and need no line here.
builder.Services.AddPresence(builder.Configuration);
builder.Services.AddSignaling(builder.Configuration);
builder.Services.AddModeration();
builder.Services.AddRecording();
builder.Services.AddAdmin();

// Pages live beside their feature code (Rooms/, Home/, Admin/ ...), not under Pages/.
builder.Services.AddRazorPages(o => o.RootDirectory = "/");
builder.Services.AddProblemDetails();
// Metrics at /metrics (loopback or Metrics:AllowFrom), traces and metrics over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set.
builder.Services.AddTelemetry(builder.Configuration);
builder.Services.AddExceptionHandler<ApiErrorHandler>();
builder.Services.AddHealth();

var app = builder.Build();

app.UseProxySupport(app.Environment);
app.UseExceptionHandler("/Error");
// People get a readable error page; API and hub clients keep bare status codes and ProblemDetails.
app.UseWhen(c => !c.Request.Path.StartsWithSegments("/api") && !c.Request.Path.StartsWithSegments("/hubs"),
    branch => branch.UseStatusCodePagesWithReExecute("/Error", "?status={0}"));
app.UseWhen(c => c.Request.Path.StartsWithSegments("/api"), branch => branch.UseStatusCodePages());
app.UseSecurityHeaders();
app.UseMetricsEndpoint(app.Configuration);
// A cookie alone never makes a cross-site page a host: the hub admits browsers from our own origin only.
app.UseHubOriginCheck(app.Configuration);
// An instance that may have been declared dead (frozen, cut off) turns new hub connections away: the proxy tries another.
app.UseInstanceStanding();
app.UseRouting();
app.UseRateLimiter();
app.UseAuthentication();
app.UseAuthorization();

// Static files from the build's manifest: fingerprinted URLs (cached for a year), precompressed (brotli, gzip), ETags.
app.MapStaticAssets();
app.MapRazorPages().WithStaticAssets();
app.MapHealthChecks("/health", new() { ResponseWriter = HealthTransitions.WriteAsync });
// For orchestrators: live = the process answers; ready = the database (and Redis, when configured) answer too.
app.MapHealthChecks("/health/live", new() { Predicate = _ => false });
app.MapHealthChecks("/health/ready", new() { Predicate = c => c.Tags.Contains("ready"), ResponseWriter = HealthTransitions.WriteAsync });
app.MapAccounts();
app.MapRooms();
app.MapSignaling();
app.MapAdmin();

app.Run();

/// <summary>Entry point, public so that tests can start the app with WebApplicationFactory.</summary>
public partial class Program;
