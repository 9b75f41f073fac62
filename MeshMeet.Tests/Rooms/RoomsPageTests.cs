using System.Net;
using System.Net.Http.Json;
using MeshMeet.Tests.Support;

namespace MeshMeet.Tests.Rooms;

[Collection(AppCollection.Name)]
public sealed class RoomsPageTests(MeshMeetApp app)
{
    private static Dictionary<string, string> Create(string name, int capacity = 6) =>
        new() { ["Form.Name"] = name, ["Form.Capacity"] = capacity.ToString() };

    [Fact]
    public async Task Without_htmx_the_rooms_page_is_a_whole_page_and_creating_redirects_back()
    {
        using var client = app.NewClient();
        await Forms.RegisterAsync(client);

        var page = await client.GetAsync("/rooms");
        var created = await Forms.PostAsync(client, "/rooms", "/rooms?handler=Create", Create("Plain form room"));
        var after = await client.GetStringAsync("/rooms");

        Assert.Contains("<html", await page.Content.ReadAsStringAsync());
        Assert.Contains("HX-Request", page.Headers.Vary);
        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        Assert.Contains("Plain form room", after);
        Assert.Contains("/r/", after);
    }

    [Fact]
    public async Task With_htmx_creating_answers_with_the_panel_fragment_listing_the_room()
    {
        using var client = app.NewClient();
        await Forms.RegisterAsync(client);

        var response = await Forms.PostAsync(client, "/rooms", "/rooms?handler=Create", Create("Htmx room", 3), htmx: true);
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain("<html", html);
        Assert.StartsWith("<div id=\"rooms-panel\">", html.Trim());
        Assert.Contains("Htmx room", html);
        Assert.Contains("up to 3", html);
        Assert.Contains("HX-Request", response.Headers.Vary);
    }

    [Fact]
    public async Task A_room_made_to_ask_to_join_says_so_and_its_boxes_change_its_settings()
    {
        using var client = app.NewClient();
        await Forms.RegisterAsync(client);

        var form = Create("Clinic");
        form["Form.Lobby"] = "true";
        await Forms.PostAsync(client, "/rooms", "/rooms?handler=Create", form, htmx: true);
        var room = Assert.Single(await client.GetFromJsonAsync<MeshMeetApp.RoomBody[]>("/api/rooms") ?? []);
        Assert.Equal((true, false), (room.Lobby, room.AskToUnmute));

        // Unticking "Ask to join" and ticking "Ask to unmute" posts only the ticked box.
        var response = await Forms.PostAsync(client, "/rooms", $"/rooms?handler=Settings&id={room.Id}", new Dictionary<string, string> { ["askToUnmute"] = "true" }, htmx: true);
        var html = await response.Content.ReadAsStringAsync();
        var changed = Assert.Single(await client.GetFromJsonAsync<MeshMeetApp.RoomBody[]>("/api/rooms") ?? []);
        Assert.Equal((false, true), (changed.Lobby, changed.AskToUnmute));
        Assert.Contains("name=\"askToUnmute\" value=\"true\" checked=\"checked\"", html);

        var elsewhere = await Forms.PostAsync(client, "/rooms", "/rooms?handler=Settings&id=AAAAAAAAAAAAAAAAAAAAAA", new Dictionary<string, string> { ["lobby"] = "true" }, htmx: true);
        Assert.Equal(HttpStatusCode.NotFound, elsewhere.StatusCode);
    }

    [Fact]
    public async Task An_invalid_name_is_shown_next_to_the_field_with_422_and_nothing_is_created()
    {
        using var client = app.NewClient();
        await Forms.RegisterAsync(client);

        var response = await Forms.PostAsync(client, "/rooms", "/rooms?handler=Create", Create("   "), htmx: true);
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Contains("Room name is required.", html);
        Assert.Contains("You have no rooms yet", html);
        Assert.Empty(await client.GetFromJsonAsync<MeshMeetApp.RoomBody[]>("/api/rooms") ?? []);
    }

    [Fact]
    public async Task Deleting_from_the_page_removes_the_room()
    {
        using var client = app.NewClient();
        await Forms.RegisterAsync(client);
        await Forms.PostAsync(client, "/rooms", "/rooms?handler=Create", Create("Short-lived"));
        var room = (await client.GetFromJsonAsync<MeshMeetApp.RoomBody[]>("/api/rooms"))!.Single();

        var response = await Forms.PostAsync(client, "/rooms", $"/rooms?handler=Delete&id={room.Id}", new Dictionary<string, string>(), htmx: true);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain("Short-lived", await response.Content.ReadAsStringAsync());
        Assert.Empty(await client.GetFromJsonAsync<MeshMeetApp.RoomBody[]>("/api/rooms") ?? []);
    }

    [Fact]
    public async Task A_post_without_the_antiforgery_token_is_refused()
    {
        using var client = app.NewClient();
        await Forms.RegisterAsync(client);

        var response = await client.PostAsync("/rooms?handler=Create", new FormUrlEncodedContent(Create("Forged")));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty(await client.GetFromJsonAsync<MeshMeetApp.RoomBody[]>("/api/rooms") ?? []);
    }

    [Fact]
    public async Task Pages_send_a_content_security_policy_without_inline_script()
    {
        var response = await app.NewClient().GetAsync("/");
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("script-src 'self'", csp);
        Assert.DoesNotContain("unsafe-inline", csp);
    }
}
