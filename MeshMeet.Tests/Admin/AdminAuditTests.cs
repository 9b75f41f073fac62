using System.Net;
using MeshMeet.Tests.Support;

namespace MeshMeet.Tests.Admin;

[Collection(AppCollection.Name)]
public sealed class AdminAuditTests(MeshMeetApp app)
{
    private async Task<HttpClient> AdminAsync() => app.BearerClient(await app.TokenAsync(MeshMeetApp.AdminEmail, MeshMeetApp.AdminPassword));

    [Fact]
    public async Task Only_admins_open_the_audit_log_others_get_403_and_anonymous_people_the_sign_in_page()
    {
        using var admin = await AdminAsync();
        using var host = app.BearerClient(await app.TokenAsync(await app.CreateHostAsync()));
        using var anonymous = app.NewClient();

        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/admin/audit")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await host.GetAsync("/admin/audit")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await host.GetAsync("/admin/audit/export")).StatusCode);
        var redirect = await anonymous.GetAsync("/admin/audit");
        Assert.Equal(HttpStatusCode.Redirect, redirect.StatusCode);
        Assert.StartsWith("/Identity/Account/Login", redirect.Headers.Location!.PathAndQuery);
    }

    [Fact]
    public async Task Filtering_by_room_name_lists_only_matching_rooms_and_htmx_gets_the_fragment()
    {
        var token = await app.TokenAsync(await app.CreateHostAsync());
        var marker = Guid.NewGuid().ToString("N")[..8];
        var wanted = await app.CreateRoomAsync(token, $"Board {marker}");
        var other = await app.CreateRoomAsync(token, "Unrelated");
        using var admin = await AdminAsync();

        var page = await admin.GetStringAsync($"/admin/audit?room={marker}");
        var request = new HttpRequestMessage(HttpMethod.Get, $"/admin/audit?room={marker}");
        request.Headers.Add("HX-Request", "true");
        var fragment = await admin.SendAsync(request);
        var fragmentHtml = await fragment.Content.ReadAsStringAsync();

        Assert.Contains(wanted, page);
        Assert.DoesNotContain(other, page);
        Assert.Contains("1 room ·", page);
        Assert.StartsWith("<section id=\"audit-results\"", fragmentHtml.Trim());
        Assert.Contains("HX-Request", fragment.Headers.Vary);
        Assert.Contains($"/admin/audit/export?room={marker}", fragmentHtml);
    }

    [Fact]
    public async Task Room_names_are_escaped_in_the_audit_log_and_safe_in_the_csv()
    {
        var token = await app.TokenAsync(await app.CreateHostAsync());
        var nasty = $"=cmd|' /C calc'!A0, \"quoted\" <b>{Guid.NewGuid():N}</b>";
        var room = await app.CreateRoomAsync(token, nasty);
        using var admin = await AdminAsync();

        var history = await admin.GetStringAsync($"/admin/audit/rooms/{room}");
        var csv = await admin.GetAsync($"/admin/audit/export?room={room}");
        var text = await csv.Content.ReadAsStringAsync();

        Assert.DoesNotContain("<b>", history);
        Assert.Contains("&lt;b&gt;", history);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        Assert.Contains("attachment", csv.Content.Headers.ContentDisposition?.ToString());
        var lines = text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("time,room id,room name,event,actor,participant,details", lines[0]);
        var created = Assert.Single(lines, l => l.Contains(",RoomCreated,"));
        Assert.Contains("\"'=cmd|' /C calc'!A0, \"\"quoted\"\"", created);
    }

    [Fact]
    public async Task Filtering_by_event_kind_finds_the_rooms_where_it_happened()
    {
        var token = await app.TokenAsync(await app.CreateHostAsync());
        var deleted = await app.CreateRoomAsync(token, "Gone soon");
        var kept = await app.CreateRoomAsync(token, "Kept");
        using (var host = app.BearerClient(token)) await host.DeleteAsync($"/api/rooms/{deleted}");
        using var admin = await AdminAsync();

        var html = await admin.GetStringAsync("/admin/audit?kind=RoomDeleted");
        var csv = await admin.GetStringAsync("/admin/audit/export?kind=RoomDeleted");

        Assert.Contains(deleted, html);
        Assert.DoesNotContain(kept, html);
        Assert.All(csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Skip(1), l => Assert.Contains(",RoomDeleted,", l));
        Assert.Contains(deleted, csv);
    }
}
