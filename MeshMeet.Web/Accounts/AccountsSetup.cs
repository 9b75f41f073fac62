using MeshMeet.Web.Infrastructure;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Identity;
using Microsoft.IdentityModel.Tokens;

namespace MeshMeet.Web.Accounts;

public static class AccountsSetup
{
    /// <summary>Chooses cookie or bearer per request, so every endpoint (pages, API, hub) accepts both.</summary>
    public const string CookieOrBearer = "CookieOrBearer";
    public const string AdminRole = "Admin";
    public const string AdminPolicy = "Admin";
    /// <summary>OWASP's PBKDF2-HMAC-SHA512 figure, the default of <c>Accounts:PasswordIterations</c>.</summary>
    public const int PasswordIterations = 210_000;

    public static IServiceCollection AddAccounts(this IServiceCollection services, IConfiguration config, IHostEnvironment env)
    {
        services.AddDefaultIdentity<IdentityUser>(o =>
            {
                o.SignIn.RequireConfirmedAccount = config.GetValue("Accounts:RequireConfirmedAccount", false);
                o.User.RequireUniqueEmail = true;
                o.Lockout.MaxFailedAccessAttempts = config.GetValue("Accounts:MaxFailedAccessAttempts", 5);
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(config.GetValue("Accounts:LockoutMinutes", 5));
                o.Lockout.AllowedForNewUsers = true;
                // NIST SP 800-63B: length, not composition rules.
                o.Password.RequiredLength = config.GetValue("Accounts:MinPasswordLength", 10);
                o.Password.RequireDigit = o.Password.RequireLowercase = o.Password.RequireUppercase = o.Password.RequireNonAlphanumeric = false;
                o.Password.RequiredUniqueChars = 1;
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<MeshMeetDb>()
            .AddSignInManager<LockoutSignInManager>()
            .AddUserManager<AccountUserManager>();
        // OWASP's PBKDF2-HMAC-SHA512 figure; hashes made with fewer iterations are rehashed at the next sign-in. Only the
        // test suite sets fewer (a hash costs ~0.1 s of CPU, and the suite makes hundreds).
        services.Configure<PasswordHasherOptions>(o => o.IterationCount = config.GetValue("Accounts:PasswordIterations", PasswordIterations));

        services.ConfigureApplicationCookie(o =>
        {
            o.Cookie.Name = "meshmeet.auth";
            o.Cookie.SameSite = SameSiteMode.Lax;
            // API and hub clients get status codes, never a redirect to an HTML sign-in page.
            o.Events.OnRedirectToLogin = c => RedirectOrStatus(c.HttpContext, c.RedirectUri, StatusCodes.Status401Unauthorized);
            // A signed-in person without the right role gets a plain 403 (the error page explains it), never a redirect.
            o.Events.OnRedirectToAccessDenied = c =>
            {
                c.Response.StatusCode = StatusCodes.Status403Forbidden;
                return Task.CompletedTask;
            };
        });

        var signing = JwtSigning.Load(config, env);
        services.AddSingleton(signing);
        services.AddAuthentication(o =>
            {
                o.DefaultScheme = CookieOrBearer;
                o.DefaultChallengeScheme = CookieOrBearer;
            })
            .AddPolicyScheme(CookieOrBearer, "Identity cookie or JWT bearer", o =>
                o.ForwardDefaultSelector = http => HasBearerToken(http) ? JwtBearerDefaults.AuthenticationScheme : IdentityConstants.ApplicationScheme)
            .AddJwtBearer(o =>
            {
                o.TokenValidationParameters = signing.ValidationParameters();
                // WebSockets cannot carry headers: SignalR clients send the token as ?access_token= on the hub path.
                o.Events = new JwtBearerEvents
                {
                    OnMessageReceived = c =>
                    {
                        if (c.HttpContext.Request.Path.StartsWithSegments("/hubs")
                            && c.Request.Query.TryGetValue("access_token", out var token))
                            c.Token = token;
                        return Task.CompletedTask;
                    },
                };
            });

        services.AddAuthorizationBuilder()
            .AddPolicy(AdminPolicy, p => p.RequireRole(AdminRole));

        services.AddScoped<IStartupStep, AdminSeeder>();
        services.AddScoped<TokenIssuer>();
        return services;
    }

    public static IEndpointRouteBuilder MapAccounts(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/token", TokenApi.IssueAsync).AllowAnonymous().DisableAntiforgery();
        return app;
    }

    private static bool HasBearerToken(HttpContext http) =>
        http.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
        || http.Request.Path.StartsWithSegments("/hubs") && http.Request.Query.ContainsKey("access_token");

    private static Task RedirectOrStatus(HttpContext http, string redirectUri, int status)
    {
        if (http.Request.Path.StartsWithSegments("/api") || http.Request.Path.StartsWithSegments("/hubs")
            || http.Request.Path.StartsWithSegments("/admin/audit/export"))
            http.Response.StatusCode = status;
        else
            http.Response.Redirect(redirectUri);
        return Task.CompletedTask;
    }
}
