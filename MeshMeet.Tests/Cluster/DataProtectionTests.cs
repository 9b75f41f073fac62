using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Xml.Linq;
using MeshMeet.Tests.Support;
using MeshMeet.Web.Infrastructure;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MeshMeet.Tests.Cluster;

/// <summary>
/// The Data Protection keys (behind sign-in cookies) live in the database, so that every instance shares them. Someone
/// who can only read that database (a backup, a read-only role) takes the key XML and makes an admin's cookie, as an
/// attacker would, with ASP.NET's own code and nothing else. With DataProtection:CertificatePath the keys are encrypted
/// to a certificate kept outside the database, and that fails.
/// </summary>
public sealed class DataProtectionTests
{
    private sealed class KeyedApp(string? certificatePath) : MeshMeetApp
    {
        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["DataProtection:CertificatePath"] = certificatePath,
        };
    }

    [Fact]
    public async Task Without_a_certificate_a_reader_of_the_database_can_make_an_admin_cookie_as_the_readme_warns()
    {
        await using var app = new KeyedApp(null);
        await app.InitializeAsync();
        var cookie = await ForgeAdminCookieAsync(app);

        using var http = app.NewClient();
        http.DefaultRequestHeaders.Add("Cookie", $"meshmeet.auth={cookie}");
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/admin/audit")).StatusCode);
    }

    [Fact]
    public async Task With_a_certificate_the_keys_in_the_database_make_no_cookie_and_sign_in_still_works()
    {
        var dir = Directory.CreateTempSubdirectory("meshmeet-dp-").FullName;
        try
        {
            // Made as scripts/run --cluster makes it (openssl, a PKCS#12 file without a password).
            var path = await ShellLib.RunAsync("data_protection_certificate", dir);
            await using var app = new KeyedApp(path);
            await app.InitializeAsync();

            await Assert.ThrowsAnyAsync<CryptographicException>(() => ForgeAdminCookieAsync(app));
            Assert.All(await KeyXmlAsync(app), xml => Assert.Contains("EncryptedData", xml));

            // The app itself reads its keys with the certificate: the admin signs in and reaches the audit log.
            using var http = app.NewClient();
            Assert.Equal(HttpStatusCode.Redirect, (await Forms.SignInAsync(http, MeshMeetApp.AdminEmail, MeshMeetApp.AdminPassword)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/admin/audit")).StatusCode);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task<List<string>> KeyXmlAsync(MeshMeetApp app)
    {
        // The app makes its first key when it first protects something.
        app.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("warm-up").Protect("x");
        await using var scope = app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<MeshMeetDb>().DataProtectionKeys.Select(k => k.Xml!).ToListAsync();
    }

    /// <summary>What a reader of the database can do: the key XML and the admin's row, ASP.NET's cookie format.</summary>
    private static async Task<string> ForgeAdminCookieAsync(MeshMeetApp app)
    {
        var keys = await KeyXmlAsync(app);
        IdentityUser admin;
        await using (var scope = app.Services.CreateAsyncScope())
            admin = await scope.ServiceProvider.GetRequiredService<MeshMeetDb>().Users.SingleAsync(u => u.Email == MeshMeetApp.AdminEmail);

        var services = new ServiceCollection();
        services.AddDataProtection().SetApplicationName("MeshMeet").DisableAutomaticKeyGeneration();
        services.Configure<Microsoft.AspNetCore.DataProtection.KeyManagement.KeyManagementOptions>(o => o.XmlRepository = new ReadOnlyKeys(keys));
        await using var forger = services.BuildServiceProvider();
        var protector = forger.GetRequiredService<IDataProtectionProvider>()
            .CreateProtector("Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationMiddleware", IdentityConstants.ApplicationScheme, "v2");

        var identity = new ClaimsIdentity(
        [
            new Claim(ClaimTypes.NameIdentifier, admin.Id), new Claim(ClaimTypes.Name, admin.UserName!),
            new Claim("AspNet.Identity.SecurityStamp", admin.SecurityStamp!), new Claim(ClaimTypes.Role, "Admin"),
        ], IdentityConstants.ApplicationScheme);
        var now = DateTimeOffset.UtcNow;
        var ticket = new AuthenticationTicket(new ClaimsPrincipal(identity),
            new AuthenticationProperties { IssuedUtc = now, ExpiresUtc = now.AddHours(1) }, IdentityConstants.ApplicationScheme);
        return new TicketDataFormat(protector).Protect(ticket);
    }

    private sealed class ReadOnlyKeys(List<string> xml) : IXmlRepository
    {
        public IReadOnlyCollection<XElement> GetAllElements() => xml.Select(x => XElement.Parse(x)).ToList();
        public void StoreElement(XElement element, string friendlyName) => throw new InvalidOperationException("read-only");
    }
}
