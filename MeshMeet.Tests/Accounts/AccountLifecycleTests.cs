using System.Net;
using MeshMeet.Tests.Support;
using MeshMeet.Web.Accounts;
using MeshMeet.Web.Audit;
using MeshMeet.Web.Signaling;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace MeshMeet.Tests.Accounts;

[Collection(AppCollection.Name)]
public sealed class AccountLifecycleTests(MeshMeetApp app)
{
    [Fact]
    public async Task Deleting_an_account_closes_its_live_calls_and_records_each_room_as_deleted()
    {
        using var browser = app.NewClient();
        var email = await Forms.RegisterAsync(browser);
        var token = await app.TokenAsync(email);
        var live = await app.CreateRoomAsync(token, "Live call");
        var quiet = await app.CreateRoomAsync(token, "Empty room");
        await using var host = await CallClient.ConnectAsync(app, token);
        await using var guest = await CallClient.ConnectAsync(app);
        await host.JoinAsync(live, "Host");
        await guest.JoinAsync(live, "Guest");

        // Identity's own page: "Delete data and close my account", confirmed with the password.
        var deleted = await Forms.PostAsync(browser, "/Identity/Account/Manage/DeletePersonalData", "/Identity/Account/Manage/DeletePersonalData",
            new Dictionary<string, string> { ["Input.Password"] = MeshMeetApp.Password });
        Assert.Equal(HttpStatusCode.Redirect, deleted.StatusCode);

        Assert.Equal("deleted", (await guest.WaitForAsync<RoomClosed>("RoomClosed")).Reason);
        await Assert.ThrowsAsync<Microsoft.AspNetCore.SignalR.HubException>(() => guest.InvokeAsync("Signal",
            new SignalRequest(host.SelfId, new SessionDescription("offer", "v=0"), null)));
        foreach (var room in new[] { live, quiet })
        {
            var events = await TestDatabase.ScalarAsync<long>(app.ConnectionString, $"""
                SELECT count(*) FROM {AuditSetup.Schema}.mt_events e JOIN {AuditSetup.Schema}.mt_doc_roomsummary s ON s.id = e.stream_id
                WHERE s.data->>'RoomId' = '{room}' AND e.type = 'room_deleted'
                """);
            Assert.Equal(1L, events);
        }
        Assert.Equal(0L, await TestDatabase.ScalarAsync<long>(app.ConnectionString, $"SELECT count(*) FROM rooms WHERE \"PublicId\" IN ('{live}', '{quiet}')"));
    }

    /// <summary>The seeder as start-up runs it, with this Admin:Email and Admin:Password.</summary>
    private static AdminSeeder Seeder(string email, string password, AsyncServiceScope scope)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Admin:Email"] = email,
            ["Admin:Password"] = password,
        }).Build();
        return new AdminSeeder(scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>(),
            scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>(), config, NullLogger<AdminSeeder>.Instance);
    }

    [Fact]
    public async Task Configuration_cannot_make_someone_elses_account_an_admin_but_the_owner_can()
    {
        var email = await app.CreateHostAsync(); // registered by someone, with MeshMeetApp.Password
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
            await Seeder(email, "Not-their-Pa55word", scope).RunAsync(CancellationToken.None));
        Assert.Contains("already exists", refused.Message);
        Assert.False(await users.IsInRoleAsync((await users.FindByEmailAsync(email))!, AccountsSetup.AdminRole));

        await Seeder(email, MeshMeetApp.Password, scope).RunAsync(CancellationToken.None);
        Assert.True(await users.IsInRoleAsync((await users.FindByEmailAsync(email))!, AccountsSetup.AdminRole));
    }
}
