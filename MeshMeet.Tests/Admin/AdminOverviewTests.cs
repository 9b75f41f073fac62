using System.Net;
using System.Text.RegularExpressions;
using MeshMeet.Tests.Support;
using MeshMeet.Web.Audit;
using MeshMeet.Web.Signaling;
using Microsoft.Extensions.DependencyInjection;

namespace MeshMeet.Tests.Admin;

/// <summary>/admin: the live calls with their people and hosts, kept current, and closing a call from there.</summary>
[Collection(AppCollection.Name)]
public sealed partial class AdminOverviewTests(MeshMeetApp app)
{
    private static int PeopleIn(string html, string room)
    {
        var row = LiveRow().Matches(html).FirstOrDefault(m => m.Groups["room"].Value == room);
        return row is null ? 0 : int.Parse(row.Groups["people"].Value);
    }

    [Fact]
    public async Task The_overview_shows_a_live_call_follows_its_count_and_an_admin_can_close_it()
    {
        var hostEmail = await app.CreateHostAsync();
        var room = await app.CreateRoomAsync(await app.TokenAsync(hostEmail), "Overview <b>room</b>");
        await using var ann = await CallClient.ConnectAsync(app);
        await using var ben = await CallClient.ConnectAsync(app);
        await ann.JoinAsync(room, "Ann");
        await ben.JoinAsync(room, "Ben");
        using var admin = app.NewClient();
        await Forms.SignInAsync(admin, MeshMeetApp.AdminEmail, MeshMeetApp.AdminPassword);

        var page = await admin.GetStringAsync("/admin");
        Assert.Equal(2, PeopleIn(page, room));
        Assert.Contains(hostEmail, page);
        Assert.Contains("Overview &lt;b&gt;room&lt;/b&gt;", page); // names are text, never markup
        Assert.Contains($"/admin/audit/rooms/{room}", page);
        Assert.Contains("hx-trigger=\"every 5s\"", page);
        Assert.Matches(@"data-instance=""[^""]+""", page);

        await ben.InvokeAsync("LeaveRoom", new LeaveRoomRequest());
        using var refresh = new HttpRequestMessage(HttpMethod.Get, "/admin");
        refresh.Headers.Add("HX-Request", "true");
        var fragment = await (await admin.SendAsync(refresh)).Content.ReadAsStringAsync();
        Assert.StartsWith("<div id=\"overview\"", fragment.TrimStart());
        Assert.Equal(1, PeopleIn(fragment, room));

        var token = await Forms.AntiforgeryTokenAsync(admin, "/admin");
        var closed = await admin.PostAsync($"/admin?handler=Close&id={room}",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }));
        Assert.Equal(HttpStatusCode.OK, closed.StatusCode);
        await ann.WaitForAsync<RoomClosed>("RoomClosed");
        Assert.Equal(0, PeopleIn(await closed.Content.ReadAsStringAsync(), room));
        await using var scope = app.Services.CreateAsyncScope();
        var last = (await scope.ServiceProvider.GetRequiredService<AuditQueries>().TimelineAsync(room)).Last();
        Assert.Equal("RoomEnded", last.Event);
        Assert.Contains("(admin)", last.Actor);
    }

    [GeneratedRegex("""<tr data-live-room="(?<room>[^"]+)">(?:(?!</tr>).)*?<td data-people>(?<people>\d+)</td>""", RegexOptions.Singleline)]
    private static partial Regex LiveRow();
}
