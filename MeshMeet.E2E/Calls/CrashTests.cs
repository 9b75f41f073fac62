using System.Diagnostics;
using MeshMeet.E2E.Support;
using MeshMeet.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace MeshMeet.E2E.Calls;

/// <summary>The server or its database goes away in the middle of a call: media is peer to peer and keeps flowing, and
/// everything comes back by itself. Each test runs its own app process (and database), so it can be killed.</summary>
[Collection(BrowserCollection.Name)]
public sealed class CrashTests(BrowserFixture fixture, ITestOutputHelper output) : BrowserTest(fixture)
{
    private void Log(string line) => BrowserFixture.Log(output, line);

    private async Task<(CallPage Ann, CallPage Ben, string RoomId)> TwoInACallAsync(AppProcess app)
    {
        var room = await app.CreateRoomAsync("Crash course");
        var ann = new CallPage(await Browser.PersonAsync("ann", output, app.BaseUrl));
        await ann.JoinAsync(room, "Ann");
        var ben = new CallPage(await Browser.PersonAsync("ben", output, app.BaseUrl));
        await ben.JoinAsync(room, "Ben");
        await CallPage.ExpectEveryPairPlayingAsync(ann, ben);
        return (ann, ben, room);
    }

    [Fact]
    public async Task After_kill_9_media_keeps_flowing_and_everyone_is_back_as_themselves_within_15_s()
    {
        await using var app = await AppProcess.StartAsync(Log);
        var (ann, ben, room) = await TwoInACallAsync(app);
        var annId = (await ann.SelfIdAsync())!;
        var benId = (await ben.SelfIdAsync())!;

        app.Kill();

        await ann.ExpectStateAsync("reconnecting");
        await ben.ExpectStateAsync("reconnecting");
        // The server is gone; the browsers' connection to each other is not.
        await ann.ExpectVideoPlayingAsync(benId);
        await ben.ExpectVideoPlayingAsync(annId);

        var startup = await app.StartAgainAsync();
        var back = Stopwatch.StartNew();
        foreach (var person in new[] { ann, ben })
            await Expect(person.CallRoot).ToHaveAttributeAsync("data-call-state", "in-call", new() { Timeout = 15000 });
        Log($"kill -9: app healthy again {startup.TotalSeconds:F1} s after start; both pages back in the call {back.Elapsed.TotalSeconds:F1} s later");
        Assert.Equal(annId, await ann.SelfIdAsync());
        Assert.Equal(benId, await ben.SelfIdAsync());
        await CallPage.ExpectEveryPairPlayingAsync(ann, ben);
        Assert.True(back.Elapsed < TimeSpan.FromSeconds(15), $"back after {back.Elapsed}");

        // The audit log saw two people join once each, and nobody leave.
        Assert.Equal(2L, await AppProcess.AuditEventsAsync(app.ConnectionString, room, "participant_joined"));
        Assert.Equal(0L, await AppProcess.AuditEventsAsync(app.ConnectionString, room, "participant_left"));
    }

    [Fact]
    public async Task While_PostgreSQL_restarts_media_flows_calls_fail_in_words_and_afterwards_a_newcomer_gets_in()
    {
        await using var app = await AppProcess.StartAsync(Log);
        var (ann, ben, room) = await TwoInACallAsync(app);
        var annId = (await ann.SelfIdAsync())!;
        var benId = (await ben.SelfIdAsync())!;
        using var http = new HttpClient { BaseAddress = new Uri(app.BaseUrl) };

        // PostgreSQL itself goes down (the test cluster: scripts/test runs nothing else while browser tests run).
        await TestCluster.StopAsync();
        try
        {
            await WaitForAsync(async () => (int)(await http.GetAsync("/health")).StatusCode == 503, "/health 503");
            await ann.ExpectVideoPlayingAsync(benId);
            await ben.ExpectVideoPlayingAsync(annId);
            // Something that needs the database, from inside the call: refused in words, the call goes on.
            await ann.Button("Mute").ClickAsync();
            await Expect(ann.Page.Locator("#call-alert")).ToContainTextAsync("cannot reach its database");
            await ann.ExpectStateAsync("in-call");
            // A newcomer opening the link is told why it does not open.
            var carl = new CallPage(await Browser.PersonAsync("carl", output, app.BaseUrl));
            var response = await carl.Page.GotoAsync($"/r/{room}");
            Assert.Equal(503, response!.Status);
            await Expect(carl.Page.GetByRole(Microsoft.Playwright.AriaRole.Heading)).ToContainTextAsync("The database is unavailable");
        }
        finally
        {
            await TestCluster.StartAsync();
            // The shared app of the other browser tests lives in this process: its pooled connections died with the server.
            Browser.App.Services.GetRequiredService<NpgsqlDataSource>().Clear();
        }

        var recovery = Stopwatch.StartNew();
        await WaitForAsync(async () => (await http.GetAsync("/health")).IsSuccessStatusCode, "/health 200");
        var healthy = recovery.Elapsed;
        var newcomer = new CallPage(await Browser.PersonAsync("dora", output, app.BaseUrl));
        await newcomer.JoinAsync(room, "Dora");
        await newcomer.ExpectPeerCountAsync(2);
        Log($"PostgreSQL restart: /health 200 {healthy.TotalSeconds:F1} s after the database came back, a newcomer in the call at {recovery.Elapsed.TotalSeconds:F1} s");
        Assert.True(recovery.Elapsed < TimeSpan.FromSeconds(15), $"recovered after {recovery.Elapsed}");
        await CallPage.ExpectEveryPairPlayingAsync(ann, ben, newcomer);
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition, string what, int timeoutMs = 15000)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try { if (await condition()) return; } catch (HttpRequestException) { /* not yet */ }
            if (deadline.ElapsedMilliseconds > timeoutMs) throw new TimeoutException($"No {what} within {timeoutMs} ms");
            await Task.Delay(200);
        }
    }
}
