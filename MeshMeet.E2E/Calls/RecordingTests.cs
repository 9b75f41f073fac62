using MeshMeet.E2E.Support;
using MeshMeet.Tests.Support;
using MeshMeet.Web.Audit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace MeshMeet.E2E.Calls;

/// <summary>Local recording with consent: the room is told, a joiner reads it before joining, the file stays with the
/// recorder and plays.</summary>
[Collection(BrowserCollection.Name)]
public sealed class RecordingTests(BrowserFixture fixture, ITestOutputHelper output) : BrowserTest(fixture)
{
    /// <summary>(base64 of a file) => [width, height, duration s, audio bytes decoded, video bytes decoded] once the page
    /// has played it for a second: what a media player would make of it.</summary>
    private const string PlayFile = """
        async (base64) => {
          const bytes = Uint8Array.from(atob(base64), c => c.charCodeAt(0));
          const video = Object.assign(document.createElement('video'), { muted: true });
          video.src = URL.createObjectURL(new Blob([bytes], { type: 'video/webm' }));
          await new Promise((ok, bad) => { video.onloadedmetadata = ok; video.onerror = () => bad(new Error('the file does not play')); });
          video.currentTime = 1e9; // a MediaRecorder file says its length once the player has looked at its end
          await new Promise(ok => { video.ontimeupdate = ok; });
          const duration = video.duration;
          video.currentTime = 0;
          await video.play();
          await new Promise(ok => setTimeout(ok, 1000));
          return [video.videoWidth, video.videoHeight, duration, video.webkitAudioDecodedByteCount, video.webkitVideoDecodedByteCount];
        }
        """;

    [Fact]
    public async Task Ann_records_everyone_is_told_Ben_reads_it_before_joining_and_the_file_she_keeps_plays_with_sound_and_picture()
    {
        var (email, room, _) = await People.HostWithRoomAsync(Browser.App, "Recorded");
        var host = new CallPage(await Browser.PersonAsync("host", output));
        await People.SignInAsync(host.Page, email);
        await host.JoinAsync(room, "Hanna");
        var ann = new CallPage(await Browser.PersonAsync("ann", output));
        await ann.JoinAsync(room, "Ann");
        await CallPage.ExpectEveryPairPlayingAsync(host, ann);

        await ann.Button("Record").ClickAsync();
        await Expect(host.Page.Locator("#recording-banner")).ToHaveTextAsync("Ann is recording this call.");
        await Expect(ann.Page.Locator("#recording-banner")).ToHaveTextAsync("You are recording this call.");

        var ben = new CallPage(await Browser.PersonAsync("ben", output));
        await ben.OpenAsync(room);
        await Expect(ben.Page.Locator("#recording-notice")).ToContainTextAsync("Ann is recording this call. Joining means you may be recorded.");
        await ben.JoinFromPreJoinAsync("Ben");
        await Expect(ben.Page.Locator("#recording-banner")).ToHaveTextAsync("Ann is recording this call.");
        await CallPage.ExpectEveryPairPlayingAsync(host, ann, ben);
        await Task.Delay(2000); // some call on record

        var download = await ann.Page.RunAndWaitForDownloadAsync(() => ann.Button("Stop recording").ClickAsync());
        Assert.EndsWith(".webm", download.SuggestedFilename);
        var bytes = await File.ReadAllBytesAsync((await download.PathAsync())!);
        Assert.Equal([0x1A, 0x45, 0xDF, 0xA3], bytes[..4]); // a WebM (EBML) file
        await Expect(host.Page.Locator("#recording-banner")).ToBeHiddenAsync();
        var played = await ann.Page.EvaluateAsync<double[]>(PlayFile, Convert.ToBase64String(bytes));
        Assert.Equal((1280, 720), ((int)played[0], (int)played[1]));
        Assert.True(played[2] >= 3, $"the file lasts {played[2]} s");
        Assert.True(played[3] > 0 && played[4] > 0, $"sound and picture decoded: {played[3]} and {played[4]} bytes");

        // The host turns recording off for the room: nobody may start one.
        await host.Page.GetByLabel("Allow recording").UncheckAsync();
        await Expect(ben.Button("Record")).ToBeDisabledAsync();

        await using var scope = Browser.App.Services.CreateAsyncScope();
        var timeline = await scope.ServiceProvider.GetRequiredService<AuditQueries>().TimelineAsync(room);
        var annId = (await ann.SelfIdAsync())!;
        Assert.Equal($"Ann ({annId})", Assert.Single(timeline, e => e.Event == "RecordingStarted").Participant);
        Assert.Equal($"Ann ({annId})", Assert.Single(timeline, e => e.Event == "RecordingStopped").Participant);
    }
}
