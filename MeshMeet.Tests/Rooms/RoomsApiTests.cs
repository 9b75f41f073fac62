using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MeshMeet.Tests.Support;

namespace MeshMeet.Tests.Rooms;

[Collection(AppCollection.Name)]
public sealed class RoomsApiTests(MeshMeetApp app)
{
    private async Task<HttpClient> HostAsync() => app.BearerClient(await app.TokenAsync(await app.CreateHostAsync()));

    [Fact]
    public async Task Creating_a_room_returns_201_with_an_unguessable_id_and_a_join_link()
    {
        using var host = await HostAsync();

        var response = await host.PostAsJsonAsync("/api/rooms", new { name = "  Friday retro  ", capacity = 4 });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var room = await response.Content.ReadFromJsonAsync<MeshMeetApp.RoomBody>();
        Assert.Equal("Friday retro", room!.Name);
        Assert.Equal(4, room.Capacity);
        Assert.Matches("^[A-Za-z0-9_-]{22}$", room.Id);
        Assert.Equal($"{app.BaseUrl}/r/{room.Id}", room.JoinUrl);
        Assert.Equal($"/api/rooms/{room.Id}", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Capacity_defaults_to_six()
    {
        using var host = await HostAsync();
        var room = await (await host.PostAsJsonAsync("/api/rooms", new { name = "Default" })).Content.ReadFromJsonAsync<MeshMeetApp.RoomBody>();
        Assert.Equal(6, room!.Capacity);
    }

    [Theory]
    [InlineData("", 6, "name")]
    [InlineData("   ", 6, "name")]
    [InlineData("tab\tinside", 6, "name")]
    [InlineData("x", 7, "capacity")]
    [InlineData("x", 1, "capacity")]
    public async Task Invalid_input_is_a_400_problem_naming_the_field_and_creates_nothing(string name, int capacity, string field)
    {
        using var host = await HostAsync();

        var response = await host.PostAsJsonAsync("/api/rooms", new { name, capacity });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        Assert.Empty(await host.GetFromJsonAsync<MeshMeetApp.RoomBody[]>("/api/rooms") ?? []);
    }

    [Fact]
    public async Task A_name_of_81_characters_is_refused_and_80_accepted()
    {
        using var host = await HostAsync();
        Assert.Equal(HttpStatusCode.BadRequest, (await host.PostAsJsonAsync("/api/rooms", new { name = new string('a', 81) })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await host.PostAsJsonAsync("/api/rooms", new { name = new string('a', 80) })).StatusCode);
    }

    [Fact]
    public async Task Without_credentials_the_api_answers_401_and_never_redirects()
    {
        using var anonymous = app.NewClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/rooms")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync("/api/rooms", new { name = "x" })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.DeleteAsync("/api/rooms/AAAAAAAAAAAAAAAAAAAAAA")).StatusCode);
    }

    [Fact]
    public async Task The_api_also_accepts_the_sign_in_cookie()
    {
        using var browser = app.NewClient();
        await Forms.RegisterAsync(browser);
        var response = await browser.PostAsJsonAsync("/api/rooms", new { name = "Cookie room" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task A_host_lists_only_their_own_rooms()
    {
        using var alice = await HostAsync();
        using var bob = await HostAsync();
        await alice.PostAsJsonAsync("/api/rooms", new { name = "Alice's" });
        await bob.PostAsJsonAsync("/api/rooms", new { name = "Bob's" });

        var rooms = await alice.GetFromJsonAsync<MeshMeetApp.RoomBody[]>("/api/rooms");

        Assert.Equal(["Alice's"], rooms!.Select(r => r.Name));
    }

    [Fact]
    public async Task Only_the_owner_deletes_a_room_and_others_get_404()
    {
        using var alice = await HostAsync();
        using var bob = await HostAsync();
        var room = await (await alice.PostAsJsonAsync("/api/rooms", new { name = "Mine" })).Content.ReadFromJsonAsync<MeshMeetApp.RoomBody>();

        var byBob = await bob.DeleteAsync($"/api/rooms/{room!.Id}");
        var stillThere = await alice.GetFromJsonAsync<MeshMeetApp.RoomBody[]>("/api/rooms");
        var byAlice = await alice.DeleteAsync($"/api/rooms/{room.Id}");
        var again = await alice.DeleteAsync($"/api/rooms/{room.Id}");

        Assert.Equal(HttpStatusCode.NotFound, byBob.StatusCode);
        Assert.Single(stillThere!);
        Assert.Equal(HttpStatusCode.NoContent, byAlice.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await app.NewClient().GetAsync(room.JoinUrl)).StatusCode);
    }

    [Fact]
    public async Task A_room_is_created_asking_to_join_and_only_its_owner_patches_its_settings_leaving_the_rest_alone()
    {
        using var alice = await HostAsync();
        using var bob = await HostAsync();
        var room = await (await alice.PostAsJsonAsync("/api/rooms", new { name = "Clinic", lobby = true })).Content.ReadFromJsonAsync<MeshMeetApp.RoomBody>();
        Assert.Equal((true, false), (room!.Lobby, room.AskToUnmute));

        var byBob = await bob.PatchAsJsonAsync($"/api/rooms/{room.Id}", new { lobby = false });
        var byAlice = await alice.PatchAsJsonAsync($"/api/rooms/{room.Id}", new { askToUnmute = true });
        var changed = await byAlice.Content.ReadFromJsonAsync<MeshMeetApp.RoomBody>();
        var unknown = await alice.PatchAsJsonAsync("/api/rooms/AAAAAAAAAAAAAAAAAAAAAA", new { lobby = true });

        Assert.Equal(HttpStatusCode.NotFound, byBob.StatusCode);
        Assert.Equal(HttpStatusCode.OK, byAlice.StatusCode);
        Assert.Equal(("Clinic", true, true), (changed!.Name, changed.Lobby, changed.AskToUnmute)); // lobby left as it was
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task The_join_link_shows_the_room_name_escaped()
    {
        using var host = await HostAsync();
        var room = await (await host.PostAsJsonAsync("/api/rooms", new { name = "<script>alert(1)</script> & co" }))
            .Content.ReadFromJsonAsync<MeshMeetApp.RoomBody>();

        var html = await app.NewClient().GetStringAsync($"/r/{room!.Id}");

        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; co", html);
        Assert.DoesNotContain("<script>alert(1)</script>", html);
    }

    [Fact]
    public async Task An_unknown_room_link_is_a_404_page_that_says_so()
    {
        var response = await app.NewClient().GetAsync("/r/AAAAAAAAAAAAAAAAAAAAAA");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("This room does not exist", await response.Content.ReadAsStringAsync());
    }
}
