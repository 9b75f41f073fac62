using MeshMeet.E2E.Support;
using MeshMeet.Tests.Support;
using Xunit.Abstractions;

namespace MeshMeet.E2E.Calls;

/// <summary>Picture-in-picture: the call stays in view in a small window of its own.</summary>
[Collection(BrowserCollection.Name)]
public sealed class PopOutTests(BrowserFixture fixture, ITestOutputHelper output) : BrowserTest(fixture)
{
    /// <summary>() => [width of the video the small window plays, the name under it, "document" or "video"], once it
    /// plays: the Document Picture-in-Picture window where the browser has one, else the video element in
    /// picture-in-picture.</summary>
    private const string PoppedOut = """
        async () => {
          const small = window.documentPictureInPicture?.window;
          const video = small ? small.document.querySelector('video') : document.pictureInPictureElement;
          if (!video) return [0, '', 'none'];
          for (let i = 0; i < 100 && video.videoWidth === 0; i++) await new Promise(r => setTimeout(r, 100));
          return [video.videoWidth, small?.document.querySelector('p')?.textContent ?? '', small ? 'document' : 'video'];
        }
        """;

    [Fact]
    public async Task Pop_out_opens_a_small_window_playing_the_other_persons_video_with_their_name()
    {
        var people = await GuestsInCallAsync(output, "Ann", "Ben");
        var (ann, ben) = (people[0], people[1]);
        await CallPage.ExpectEveryPairPlayingAsync(ann, ben);

        await ann.Button("Pop out").ClickAsync();

        var shown = await ann.Page.EvaluateAsync<string[]>($"async () => (await ({PoppedOut})()).map(String)");
        output.WriteLine($"popped out as {shown[2]}");
        Assert.True(int.Parse(shown[0]) > 0, $"the small window plays video: {await ann.DescribeAsync()}");
        if (shown[2] == "document") Assert.Equal("Ben", shown[1]); // the window names who it shows
        else Assert.Equal("video", shown[2]);
    }
}
