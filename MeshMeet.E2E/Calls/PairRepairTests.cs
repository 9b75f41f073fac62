using MeshMeet.E2E.Support;
using MeshMeet.Tests.Support;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace MeshMeet.E2E.Calls;

/// <summary>Pairs that go dark in ways a stalled stream does not cover.</summary>
[Collection(BrowserCollection.Name)]
public sealed class PairRepairTests(BrowserFixture fixture, ITestOutputHelper output) : BrowserTest(fixture)
{
    [Fact]
    public async Task A_connection_closed_on_one_side_says_so_and_video_is_back_both_ways_within_15_s()
    {
        var people = await GuestsInCallAsync(output, "Ann", "Ben");
        var (ann, ben) = (people[0], people[1]);
        await CallPage.ExpectEveryPairPlayingAsync(ann, ben);
        var (annId, benId) = ((await ann.SelfIdAsync())!, (await ben.SelfIdAsync())!);

        // Every change of what Ann's tile of Ben says, from now on.
        await ann.Page.EvaluateAsync("""
            ([id]) => {
              const tile = [...document.querySelectorAll('[data-peer-id]')].find(t => t.dataset.peerId === id);
              window.__said = [];
              new MutationObserver(() => window.__said.push(tile.dataset.connection)).observe(tile, { attributeFilter: ['data-connection'] });
            }
            """, new[] { benId });
        // Ann's browser drops its connection to Ben (as a crash of that one connection would): no event fires.
        await ann.Page.EvaluateAsync("() => window.__peerConnections.filter(pc => pc.connectionState === 'connected').forEach(pc => pc.close())");
        var closedAt = DateTime.UtcNow;

        // A new connection, and video on it both ways.
        await ann.Page.WaitForFunctionAsync("() => window.__peerConnections.some(pc => pc.connectionState === 'connected')", null, new() { Timeout = 15_000 });
        foreach (var page in new[] { ann.Page, ben.Page })
            await page.EvaluateAsync("() => document.querySelectorAll('video').forEach(v => delete v.dataset.e2eFrames)");
        await ann.ExpectVideoPlayingAsync(benId, timeoutMs: 15_000);
        await ben.ExpectVideoPlayingAsync(annId, timeoutMs: 15_000);
        Assert.True(DateTime.UtcNow - closedAt < TimeSpan.FromSeconds(15), $"back after {DateTime.UtcNow - closedAt}");
        await Expect(ann.Tile(benId)).ToHaveAttributeAsync("data-connection", "connected");
        await Expect(ben.Tile(annId)).ToHaveAttributeAsync("data-connection", "connected");
        // Meanwhile the tile did not go on saying "connected".
        Assert.Contains("closed", await ann.Page.EvaluateAsync<string[]>("() => window.__said"));
    }
}
