using MeshMeet.E2E.Support;
using MeshMeet.Tests.Support;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace MeshMeet.E2E.Calls;

/// <summary>Firefox in a call with Chromium people: what one browser sends, the other plays.</summary>
[Collection(BrowserCollection.Name)]
public sealed class FirefoxCallTests(BrowserFixture fixture, ITestOutputHelper output) : BrowserTest(fixture)
{
    [Fact]
    public async Task A_Firefox_guest_sees_and_hears_two_Chromium_people_and_is_seen_and_heard_mutes_cross_and_a_Chromium_screen_shows_in_Firefox()
    {
        var (email, room, _) = await People.HostWithRoomAsync(Browser.App);
        var host = new CallPage(await Browser.PersonAsync("host", output));
        await People.SignInAsync(host.Page, email);
        await host.JoinAsync(room, "Hanna");
        await using var fiona = await FirefoxPerson.LaunchAsync(Browser.App.BaseUrl, "fiona (Firefox)", output);
        await fiona.JoinAsync(room, "Fiona");
        var ben = new CallPage(await Browser.PersonAsync("ben", output));
        await ben.JoinAsync(room, "Ben");
        var (hostId, fionaId, benId) = ((await host.SelfIdAsync())!, await fiona.SelfIdAsync(), (await ben.SelfIdAsync())!);

        // Video and audio every way.
        await host.ExpectVideoPlayingAsync(benId);
        await ben.ExpectVideoPlayingAsync(hostId);
        foreach (var chromium in new[] { host, ben })
        {
            await chromium.ExpectPeerCountAsync(2);
            await chromium.ExpectVideoPlayingAsync(fionaId);
            await chromium.ExpectHearingAsync(peers: 2);
        }
        await fiona.ExpectVideoPlayingAsync(hostId);
        await fiona.ExpectVideoPlayingAsync(benId);
        await fiona.ExpectHearingAsync(peers: 2);

        // Firefox reads the room code from its DTLS connections too: all three read the same words.
        await CallPage.ExpectSameRoomCodeAsync(host.RoomCodeAsync, fiona.RoomCodeAsync, ben.RoomCodeAsync);

        // Mutes cross both ways.
        await fiona.ClickAsync("Mute");
        foreach (var chromium in new[] { host, ben }) await Expect(chromium.Tile(fionaId)).ToHaveAttributeAsync("data-audio-muted", "true");
        await host.Button("Mute").ClickAsync();
        await fiona.ExpectTileAttributeAsync(hostId, "data-audio-muted", "true");

        // The host shares a screen (headless Firefox has none to share): Firefox shows it, the camera plays on.
        await host.Button("Share screen").ClickAsync();
        await Expect(host.Button("Stop sharing")).ToHaveAttributeAsync("aria-pressed", "true", new() { Timeout = 15_000 });
        var screen = await host.SharedScreenSizeAsync();
        await fiona.ExpectTileAttributeAsync(hostId, "data-screen-sharing", "true");
        await fiona.ExpectScreenAsync(hostId, screen);
        await fiona.ExpectVideoPlayingAsync(hostId);
        await ben.ExpectScreenAsync(hostId, screen);
    }
}
