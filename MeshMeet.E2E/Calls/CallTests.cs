using System.Text.RegularExpressions;
using MeshMeet.E2E.Support;
using MeshMeet.Tests.Support;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace MeshMeet.E2E.Calls;

[Collection(BrowserCollection.Name)]
public sealed class CallTests(BrowserFixture fixture, ITestOutputHelper output) : BrowserTest(fixture)
{
    private async Task<CallPage> PersonAsync(string name) => new(await Browser.PersonAsync(name, output));

    private static Task ExpectEveryPairPlayingAsync(params CallPage[] people) => CallPage.ExpectEveryPairPlayingAsync(people);

    /// <summary>A room whose host (signed in, as Hanna) and Ann are in the call.</summary>
    private async Task<(CallPage Host, CallPage Ann, string Room)> HostAndAnnAsync()
    {
        var (email, room, _) = await People.HostWithRoomAsync(Browser.App);
        var host = await PersonAsync("host");
        await People.SignInAsync(host.Page, email);
        await host.JoinAsync(room, "Hanna");
        var ann = await PersonAsync("ann");
        await ann.JoinAsync(room, "Ann");
        return (host, ann, room);
    }

    [Fact]
    public async Task Three_people_see_and_hear_each_other_and_see_mute_camera_off_and_leaving()
    {
        var (host, ann, room) = await HostAndAnnAsync();
        var ben = await PersonAsync("ben");
        // Ben tries to pass for the host; only the real host's tile carries the badge, which no name can produce.
        await ben.JoinAsync(room, "Ben (host)");

        // Every person sees both others' video with frames advancing ...
        await ExpectEveryPairPlayingAsync(host, ann, ben);
        // ... and receives audio from both: inbound audio packets keep growing on every connection.
        foreach (var person in new[] { host, ann, ben })
        {
            var before = await person.InboundAudioPacketsAsync();
            await Task.Delay(1500);
            var after = await person.InboundAudioPacketsAsync();
            Assert.Equal(2, after.Length);
            Assert.All(after.Zip(before), pair => Assert.True(pair.First > pair.Second + 10, $"audio packets {pair.Second} -> {pair.First}"));
        }
        // Every sender caps each video at a step of the plan sized to that receiver's tile, both uploads within the
        // 2,500 kbps budget with their audio ...
        foreach (var person in new[] { host, ann, ben })
        {
            var caps = await person.VideoBitrateCapsAsync();
            Assert.Equal(2, caps.Length);
            Assert.All(caps, cap => Assert.Contains(cap, new[] { 150_000, 300_000, 500_000, 900_000, 1_500_000 }));
            Assert.True(caps.Sum() + 2 * 40_000 <= 2_500_000, string.Join(", ", caps));
        }
        // ... and every tile shows a direct link, with both uploads in its tooltip.
        foreach (var (viewer, shown) in new[] { (host, ann), (ann, ben), (ben, host) })
        {
            var tile = viewer.Tile((await shown.SelfIdAsync())!);
            await Expect(tile).ToHaveAttributeAsync("data-link-path", "direct");
            await Expect(tile).ToHaveAttributeAsync("data-link-quality", new Regex("^(good|fair|poor)$"));
            await Expect(tile.Locator(".link")).ToHaveAttributeAsync("title", new Regex("Their upload: \\w+.*\\n.*Your upload: \\w+", RegexOptions.Singleline));
        }
        await Expect(host.Page.GetByRole(AriaRole.Button, new() { Name = "Kick Ann" })).ToBeVisibleAsync();
        await Expect(ann.Page.GetByRole(AriaRole.Button, new() { NameRegex = new("^Kick") })).ToHaveCountAsync(0);

        var annId = (await ann.SelfIdAsync())!;
        var benId = (await ben.SelfIdAsync())!;
        var hostId = (await host.SelfIdAsync())!;
        await Expect(ann.Tile(hostId).Locator(".host-badge")).ToBeVisibleAsync();
        await Expect(ann.Tile(benId).Locator(".host-badge")).ToBeHiddenAsync();
        await Expect(ann.Tile(benId).Locator(".name")).ToHaveTextAsync("Ben (host)");
        await ann.Button("Mute").ClickAsync();
        await ben.Button("Stop video").ClickAsync();

        await Expect(ann.Button("Unmute")).ToHaveAttributeAsync("aria-pressed", "true");
        foreach (var other in new[] { host, ben })
            await Expect(other.Tile(annId)).ToHaveAttributeAsync("data-audio-muted", "true", new() { Timeout = 1500 });
        foreach (var other in new[] { host, ann })
            await Expect(other.Tile(benId)).ToHaveAttributeAsync("data-video-muted", "true", new() { Timeout = 1500 });
        await Expect(host.Tile(annId)).ToHaveAttributeAsync("data-video-muted", "false");

        await ann.Button("Leave").ClickAsync();

        await ann.ExpectStateAsync("closed");
        await Expect(host.Tile(annId)).ToHaveCountAsync(0, new() { Timeout = 3000 });
        await Expect(ben.Tile(annId)).ToHaveCountAsync(0, new() { Timeout = 3000 });
        await host.ExpectVideoPlayingAsync(benId);
        // ... and with one upload left, a receiver that shows the host big gets 720p at 1.5 Mbps, within the budget.
        await ben.StyleTileAsync(hostId, "position: fixed; left: 0; top: 0; width: 1280px; height: 720px; z-index: 5;");
        await host.Page.WaitForFunctionAsync("""
            () => window.__peerConnections.filter(pc => pc.connectionState === 'connected').flatMap(pc =>
              pc.getSenders().filter(s => s.track?.kind === 'video').map(s => s.getParameters().encodings?.[0]?.maxBitrate)).join() === '1500000'
            """);
    }

    [Fact]
    public async Task A_seventh_person_is_refused_from_a_room_of_six_and_told_why()
    {
        var (_, room, hostToken) = await People.HostWithRoomAsync(Browser.App, capacity: 6);
        var six = new List<CallClient>();
        try
        {
            for (var i = 0; i < 6; i++)
            {
                // The host holds one seat: guests alone may not take the last one.
                var client = await CallClient.ConnectAsync(Browser.App, i == 0 ? hostToken : null);
                await client.JoinAsync(room, $"Seat {i + 1}");
                six.Add(client);
            }
            var seventh = await PersonAsync("seventh");
            await seventh.OpenAsync(room);
            await seventh.ClickJoinAsync("Number Seven");

            await seventh.ExpectStateAsync("error");
            await Expect(seventh.Page.GetByRole(AriaRole.Alert)).ToContainTextAsync("This room is full (6 of 6 people)");
        }
        finally
        {
            foreach (var c in six) await c.DisposeAsync();
        }
    }

    [Fact]
    public async Task Reloading_the_page_rejoins_the_call_as_the_same_participant()
    {
        var (_, room, _) = await People.HostWithRoomAsync(Browser.App);
        var ann = await PersonAsync("ann");
        await ann.JoinAsync(room, "Ann");
        var ben = await PersonAsync("ben");
        // Ben tries to pass for the host; only the real host's tile carries the badge, which no name can produce.
        await ben.JoinAsync(room, "Ben (host)");
        await ExpectEveryPairPlayingAsync(ann, ben);
        var benId = await ben.SelfIdAsync();

        await ben.Page.ReloadAsync();

        await ben.ExpectStateAsync("in-call");
        Assert.Equal(benId, await ben.SelfIdAsync());
        await ExpectEveryPairPlayingAsync(ann, ben);
    }

    [Fact]
    public async Task After_Leave_the_page_shows_the_pre_join_screen_again_even_when_reloaded_at_once()
    {
        var (_, room, _) = await People.HostWithRoomAsync(Browser.App);
        var ann = await PersonAsync("ann");
        await ann.JoinAsync(room, "Ann");
        var ben = await PersonAsync("ben");
        await ben.JoinAsync(room, "Ben");
        await ExpectEveryPairPlayingAsync(ann, ben);

        // Leave, and reload in the same tick: the page goes before the server has answered the leave.
        await ben.Page.EvaluateAsync("""
            () => {
              [...document.querySelectorAll('button')].find(b => b.textContent.trim() === 'Leave').click();
              location.reload();
            }
            """);
        await ben.Page.WaitForLoadStateAsync();
        await ben.ExpectStateAsync("prejoin");
        await ann.ExpectPeerCountAsync(0);
        // Nothing rejoins behind the person's back: still the pre-join screen, and Ann still alone, a while later.
        await Task.Delay(3000);
        await ben.ExpectStateAsync("prejoin");
        await ann.ExpectPeerCountAsync(0);

        // Leaving properly and reloading: the same.
        await ben.JoinAsync(room, "Ben");
        await ann.ExpectPeerCountAsync(1);
        await ben.Button("Leave").ClickAsync();
        await ben.ExpectStateAsync("closed");
        await ben.Page.ReloadAsync();
        await ben.ExpectStateAsync("prejoin");
        await ann.ExpectPeerCountAsync(0);
    }

    [Fact]
    public async Task A_chat_message_reaches_all_three_as_text_and_counts_as_unread_while_the_panel_is_closed()
    {
        var (_, room, _) = await People.HostWithRoomAsync(Browser.App);
        var people = new List<CallPage>();
        foreach (var name in new[] { "Ann", "Ben", "Cleo" })
        {
            var person = await PersonAsync(name.ToLowerInvariant());
            await person.JoinAsync(room, name);
            people.Add(person);
        }
        var (ann, ben) = (people[0], people[1]);
        var annId = await ann.SelfIdAsync();

        await ann.Button("Chat").ClickAsync();
        await Expect(ann.Page.GetByText("Messages are not stored")).ToBeVisibleAsync();
        const string text = "<b>bold?</b> <img src=x onerror=\"document.title='owned'\"> & see https://example.org";
        await ann.Page.GetByLabel("Message").FillAsync(text);
        await ann.Button("Send").ClickAsync();

        foreach (var person in people)
        {
            await Expect(person.Page.Locator($"[data-chat-message][data-from='{annId}'] .text")).ToHaveTextAsync(text);
            await Expect(person.Page.Locator("[data-chat-message] b, [data-chat-message] img")).ToHaveCountAsync(0);
        }
        await Expect(ann.Page.GetByLabel("Message")).ToHaveValueAsync("");
        // Ben's panel is closed: the button says how many he has not read, until he opens it.
        await Expect(ben.Page.Locator("#chat-unread")).ToHaveTextAsync("1 unread");
        await ben.Button("Chat").ClickAsync();
        await Expect(ben.Page.Locator("#chat-unread")).ToBeHiddenAsync();
        foreach (var person in people) Assert.NotEqual("owned", await person.Page.TitleAsync());

        // A second line cannot pass for someone else's message: the text sits indented under its sender's name.
        await ann.Page.GetByLabel("Message").FillAsync("fine by me");
        await ann.Page.GetByLabel("Message").PressAsync("Shift+Enter");
        await ann.Page.GetByLabel("Message").PressSequentiallyAsync("Ben: I am the host, send me the link");
        await ann.Button("Send").ClickAsync();
        var forged = ben.Page.Locator($"[data-chat-message][data-from='{annId}'] .text", new() { HasText = "fine by me" });
        await Expect(forged).ToHaveTextAsync("fine by me\nBen: I am the host, send me the link");
        var left = await ben.Page.EvaluateAsync<double[]>("""
            el => [el.closest('li').querySelector('strong').getBoundingClientRect().left, el.getBoundingClientRect().left
              + parseFloat(getComputedStyle(el).paddingInlineStart)]
            """, await forged.ElementHandleAsync());
        Assert.True(left[1] > left[0] + 4, $"message text at {left[1]} px, its sender's name at {left[0]} px");
        // Text-direction overrides, which could turn a message around or show another name, are refused on the page.
        await ann.Page.GetByLabel("Message").FillAsync("Ben: \u202Eknil eht em dnes");
        await ann.Button("Send").ClickAsync();
        await Expect(ann.Page.Locator("#call-alert")).ToContainTextAsync("text-direction");
    }

    [Fact]
    public async Task A_raised_hand_shows_on_every_page_and_to_a_late_joiner_until_the_host_lowers_it()
    {
        var (host, ann, room) = await HostAndAnnAsync();
        var annId = (await ann.SelfIdAsync())!;

        await ann.Button("Raise hand").ClickAsync();

        await Expect(ann.Button("Lower hand")).ToHaveAttributeAsync("aria-pressed", "true");
        await Expect(ann.Page.Locator("[data-self-tile]")).ToHaveAttributeAsync("data-hand-raised", "true");
        await Expect(host.Tile(annId)).ToHaveAttributeAsync("data-hand-raised", "true");
        var ben = await PersonAsync("ben");
        await ben.JoinAsync(room, "Ben");
        await Expect(ben.Tile(annId)).ToHaveAttributeAsync("data-hand-raised", "true");
        await Expect(ben.Tile(annId).GetByRole(AriaRole.Button, new() { Name = "Lower Ann's hand" })).ToBeHiddenAsync(); // not the host

        await host.Tile(annId).GetByRole(AriaRole.Button, new() { Name = "Lower Ann's hand" }).ClickAsync();

        foreach (var person in new[] { host, ben }) await Expect(person.Tile(annId)).ToHaveAttributeAsync("data-hand-raised", "false");
        await Expect(ann.Button("Raise hand")).ToHaveAttributeAsync("aria-pressed", "false");
    }

    [Fact]
    public async Task An_unknown_room_link_says_the_room_does_not_exist()
    {
        var page = await Browser.PersonAsync("lost", output);
        var response = await page.GotoAsync("/r/AAAAAAAAAAAAAAAAAAAAAA");
        Assert.Equal(404, response!.Status);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "This room does not exist" })).ToBeVisibleAsync();
    }
}
