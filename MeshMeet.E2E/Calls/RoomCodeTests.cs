using MeshMeet.E2E.Support;
using MeshMeet.Tests.Support;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace MeshMeet.E2E.Calls;

/// <summary>
/// The room code: the words every page shows match only when each page's connections end at the certificates the other
/// pages really hold (read from the live DTLS transports, with nonces committed and revealed over the data channels).
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class RoomCodeTests(BrowserFixture fixture, ITestOutputHelper output) : BrowserTest(fixture)
{
    [Fact]
    public async Task Three_people_read_the_same_code_and_after_one_leaves_another_joins_or_one_reloads_the_same_new_one()
    {
        var (_, room, _) = await People.HostWithRoomAsync(Browser.App);
        var ann = new CallPage(await Browser.PersonAsync("ann", output));
        await ann.OpenAsync(room);
        // Before joining, the page says what is protected from whom.
        await Expect(ann.Page.Locator("[data-privacy-note]")).ToContainTextAsync("could put itself between you unless the room code");
        await ann.JoinFromPreJoinAsync("Ann");
        var ben = new CallPage(await Browser.PersonAsync("ben", output));
        await ben.JoinAsync(room, "Ben");
        var cleo = new CallPage(await Browser.PersonAsync("cleo", output));
        await cleo.JoinAsync(room, "Cleo");
        await CallPage.ExpectEveryPairPlayingAsync(ann, ben, cleo);

        var first = await SameCodeAsync(ann, ben, cleo);
        Assert.Equal(4, first.Split(' ').Length);
        await OneCertificateEachAsync(ann, ben, cleo);

        await ann.Button("Privacy").ClickAsync();
        await Expect(ann.Page.Locator("#privacy-panel")).ToContainTextAsync("If the words differ, someone's connection is intercepted");
        await Expect(ann.Page.Locator("#privacy-panel")).ToContainTextAsync("never receives audio or video");

        await cleo.Button("Leave").ClickAsync();
        var dan = new CallPage(await Browser.PersonAsync("dan", output));
        await dan.JoinAsync(room, "Dan");
        await CallPage.ExpectEveryPairPlayingAsync(ann, ben, dan);
        var second = await SameCodeAsync(ann, ben, dan);
        Assert.NotEqual(first, second);

        // Ben reloads: the same participant on a new page, with a new certificate and a new nonce. A new code again.
        await ben.Page.ReloadAsync();
        await ben.ExpectStateAsync("in-call");
        await CallPage.ExpectEveryPairPlayingAsync(ann, ben, dan);
        var third = await SameCodeAsync(ann, ben, dan);
        Assert.NotEqual(second, third);
        output.WriteLine($"codes: {first} / {second} / {third}");
    }

    [Fact]
    public async Task A_page_that_sees_another_certificate_for_one_peer_shows_another_code_and_names_that_peer()
    {
        var people = await GuestsInCallAsync(output, "Ann", "Ben", "Cleo");
        var (ann, ben, cleo) = (people[0], people[1], people[2]);
        await CallPage.ExpectEveryPairPlayingAsync(people);
        var before = await SameCodeAsync(people);

        // As if the server had put itself between Ann and Cleo: Ann's page sees another certificate for Cleo.
        var cleoId = (await cleo.SelfIdAsync())!;
        await ann.Page.EvaluateAsync("id => sessionStorage.setItem('meshmeet.test.intercept', id)", cleoId);

        var annCode = ann.Page.Locator("[data-room-code]");
        await Expect(annCode).ToHaveAttributeAsync("data-room-code-status", "unverified", new() { Timeout = 15_000 });
        await Expect(annCode).ToHaveAttributeAsync("data-room-code-unverified", "Cleo");
        await Expect(ann.Page.Locator("#room-code-note")).ToContainTextAsync("Cleo's page holds another certificate");
        // Ben and Cleo still read the code they read before; Ann reads another one.
        var annWords = await annCode.InnerTextAsync();
        Assert.Equal(4, annWords.Split(' ').Length);
        Assert.NotEqual(before, annWords);
        foreach (var other in new[] { ben, cleo }) await Expect(other.Page.Locator("[data-room-code]")).ToHaveTextAsync(before);
        // They are told which pair disagrees as well.
        await Expect(cleo.Page.Locator("#room-code-note")).ToContainTextAsync("Ann sees another certificate for you");
        await Expect(ben.Page.Locator("#room-code-note")).ToContainTextAsync(new System.Text.RegularExpressions.Regex("(Ann and Cleo|Cleo and Ann) see other certificates"));
    }

    private static Task<string> SameCodeAsync(params CallPage[] people) =>
        CallPage.ExpectSameRoomCodeAsync([.. people.Select(p => (Func<Task<string>>)p.RoomCodeAsync)]);

    /// <summary>Each page uses one certificate on all its connections, and each pair's far end presents the
    /// certificate that the other page holds (what the code compares, read here from the pages' own statistics).</summary>
    private static async Task OneCertificateEachAsync(params CallPage[] people)
    {
        var local = new List<string[]>();
        var remote = new List<string[]>();
        foreach (var person in people)
        {
            var certificates = await CertificatesAsync(person.Page, people.Length - 1);
            local.Add([.. certificates.Select(c => c.Local).Distinct()]);
            remote.Add([.. certificates.Select(c => c.Remote)]);
        }
        Assert.All(local, l => Assert.Single(l));
        var holders = local.Select(l => l[0]).ToList();
        Assert.Equal(people.Length, holders.Distinct().Count());
        for (var i = 0; i < people.Length; i++)
            Assert.Equal(holders.Where((_, j) => j != i).Order(), remote[i].Order());
    }

    /// <summary>The fingerprints of the local and the remote certificate of each connected pair of the page.</summary>
    private static async Task<(string Local, string Remote)[]> CertificatesAsync(IPage page, int pairs)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var certificates = await page.EvaluateAsync<string?[][]>("""
                async () => Promise.all(window.__peerConnections.filter(pc => pc.connectionState === 'connected').map(async pc => {
                  const stats = [...(await pc.getStats()).values()];
                  const transport = stats.find(s => s.type === 'transport' && s.dtlsState === 'connected');
                  const fingerprint = id => stats.find(s => s.id === id)?.fingerprint ?? null;
                  return [fingerprint(transport?.localCertificateId), fingerprint(transport?.remoteCertificateId)];
                }))
                """);
            // Chromium lists a transport's remote certificate in the statistics a moment after it connects.
            if (certificates.Length == pairs && certificates.All(c => c[0] is not null && c[1] is not null))
                return [.. certificates.Select(c => (c[0]!, c[1]!))];
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Not every pair lists its certificates: {certificates.Length} pairs");
            await Task.Delay(250);
        }
    }
}
