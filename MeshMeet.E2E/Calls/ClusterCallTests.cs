using System.Diagnostics;
using MeshMeet.E2E.Support;
using MeshMeet.Tests.Support;
using MeshMeet.Web.Signaling;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace MeshMeet.E2E.Calls;

/// <summary>Beyond one process and one network path: a call across two instances (Redis backplane), nginx failing
/// over when an instance is killed, and media relayed by coturn in the relay-only mode. Each test starts its own
/// processes, as scripts/run --cluster does.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ClusterCallTests(BrowserFixture fixture, ITestOutputHelper output) : BrowserTest(fixture)
{
    private void Log(string line) => BrowserFixture.Log(output, line);

    private async Task<CallPage> PersonAsync(string name, string baseUrl)
    {
        var page = await Browser.PersonAsync(name, output, baseUrl);
        page.Dialog += (_, dialog) => dialog.AcceptAsync(); // "Remove Ben from the call?" -> yes
        return new CallPage(page);
    }

    [Fact]
    public async Task A_host_on_instance_A_and_two_guests_on_B_see_and_hear_each_other_and_mute_and_kick_cross_over()
    {
        await using var cluster = await ProxiedCluster.StartAsync(Log);
        var room = await cluster.A.CreateRoomAsync("Across instances");
        var host = await PersonAsync("host", cluster.A.BaseUrl);
        await People.SignInAsync(host.Page, AppProcess.AdminEmail, AppProcess.AdminPassword);
        await host.JoinAsync(room, "Hanna");
        var ann = await PersonAsync("ann", cluster.B.BaseUrl);
        await ann.JoinAsync(room, "Ann");
        var ben = await PersonAsync("ben", cluster.B.BaseUrl);
        await ben.JoinAsync(room, "Ben");

        await CallPage.ExpectEveryPairPlayingAsync(host, ann, ben);
        foreach (var person in new[] { host, ann, ben })
        {
            var before = await person.InboundAudioPacketsAsync();
            await Task.Delay(1500);
            var after = await person.InboundAudioPacketsAsync();
            Assert.Equal(2, after.Length);
            Assert.All(after.Zip(before), pair => Assert.True(pair.First > pair.Second + 10, $"audio packets {pair.Second} -> {pair.First}"));
        }
        var holders = await cluster.HoldersAsync(room);
        Assert.Equal(["a", "b", "b"], holders.Values.Select(id => id![..1]).Order());

        var annId = (await ann.SelfIdAsync())!;
        var benId = (await ben.SelfIdAsync())!;
        await ann.Button("Mute").ClickAsync();
        await Expect(host.Tile(annId)).ToHaveAttributeAsync("data-audio-muted", "true", new() { Timeout = 3000 });
        await Expect(ben.Tile(annId)).ToHaveAttributeAsync("data-audio-muted", "true", new() { Timeout = 3000 });

        await host.Page.GetByRole(AriaRole.Button, new() { Name = "Kick Ben" }).ClickAsync();
        await ben.ExpectStateAsync("kicked");
        await Expect(host.Tile(benId)).ToHaveCountAsync(0);
        await Expect(ann.Tile(benId)).ToHaveCountAsync(0);
        await host.ExpectVideoPlayingAsync(annId);

        // Browsers that cannot use WebSockets fall back to server-sent events or long polling: through nginx too.
        var other = await cluster.A.CreateRoomAsync("Fallback transports");
        await using var polling = await CallClient.ConnectAsync(cluster.BaseUrl, transport: HttpTransportType.LongPolling);
        await using var events = await CallClient.ConnectAsync(cluster.BaseUrl, transport: HttpTransportType.ServerSentEvents);
        await polling.JoinAsync(other, "Polly");
        await events.JoinAsync(other, "Eve");
        await polling.WaitForAsync<PeerInfo>("PeerJoined", p => p.Id == events.SelfId);
        await events.InvokeAsync("Signal", new SignalRequest(polling.SelfId, new SessionDescription("offer", "v=0"), null));
        await polling.WaitForAsync<SignalMessage>("Signal", m => m.From == events.SelfId);
        await polling.InvokeAsync("Signal", new SignalRequest(events.SelfId, new SessionDescription("answer", "v=0"), null));
        await events.WaitForAsync<SignalMessage>("Signal", m => m.From == polling.SelfId);
    }

    [Fact]
    public async Task Through_nginx_a_kill_9_brings_that_instances_people_back_through_the_other_within_15_s()
    {
        await using var cluster = await ProxiedCluster.StartAsync(Log);
        var room = await cluster.A.CreateRoomAsync("Failover");
        var people = new List<CallPage>();
        foreach (var name in new[] { "Ann", "Ben", "Cat" })
        {
            var person = await PersonAsync(name.ToLowerInvariant(), cluster.BaseUrl);
            await person.JoinAsync(room, name);
            people.Add(person);
        }
        await CallPage.ExpectEveryPairPlayingAsync([.. people]);
        var ids = new List<string>();
        foreach (var person in people) ids.Add((await person.SelfIdAsync())!);
        var holders = await cluster.HoldersAsync(room);
        Log($"before: {string.Join(", ", ids.Select(id => holders[id]))}");

        // Cat's instance dies, and Cat with it (her page goes away): hers is a seat nobody resumes.
        var dead = holders[ids[2]]!;
        var live = dead.StartsWith("a-") ? "b-" : "a-";
        cluster.Named(dead).Kill();
        var clock = Stopwatch.StartNew();
        await people[2].Page.GotoAsync("about:blank");

        // Ann and Ben are back, through nginx on the other instance, as themselves.
        var stayers = people.Take(2).ToArray();
        while (!(await cluster.HoldersAsync(room)).Where(h => h.Key != ids[2]).All(h => h.Value?.StartsWith(live) == true))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"not everyone resumed on the live instance: {string.Join(", ", (await cluster.HoldersAsync(room)).Values)}");
            await Task.Delay(200);
        }
        foreach (var person in stayers) await person.ExpectStateAsync("in-call");
        Log($"kill -9 of {dead}: everyone back on the live instance after {clock.Elapsed.TotalSeconds:F1} s");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"back after {clock.Elapsed}");
        Assert.Equal(ids[0], await stayers[0].SelfIdAsync());
        Assert.Equal(ids[1], await stayers[1].SelfIdAsync());

        // The dead instance's seat (Cat's) is reaped after its grace period; the live instance's are not.
        foreach (var person in stayers) await Expect(person.Tile(ids[2])).ToHaveCountAsync(0, new() { Timeout = 20000 });
        await CallPage.ExpectEveryPairPlayingAsync(stayers);
        var after = await cluster.HoldersAsync(room);
        Assert.Equal(new[] { ids[0], ids[1] }.Order(), after.Keys.Order());
        Assert.All(after.Values, holder => Assert.StartsWith(live, holder));
        Assert.Equal(3L, await AppProcess.AuditEventsAsync(cluster.ConnectionString, room, "participant_joined"));
        Assert.Equal(1L, await AppProcess.AuditEventsAsync(cluster.ConnectionString, room, "participant_left"));
    }

    [Fact]
    public async Task Through_nginx_the_people_of_a_frozen_instance_resume_on_the_other_as_themselves_and_nobody_leaves()
    {
        // The shipped timings: the page gives up on a silent instance after 8 s, the cluster on an instance after 12 s
        // and on its seats 10 s later. The freeze lasts 25 s, longer than both together.
        await using var cluster = await ProxiedCluster.StartAsync(Log, shipped: true);
        var room = await cluster.A.CreateRoomAsync("Frozen");
        var people = new List<CallPage>();
        Dictionary<string, string?> holders;
        // Each browser lands where its cookie hashes: three people, a fourth if they all landed on one instance (and if
        // the fourth does too, everyone is on the instance that freezes). Not five: a five-person mesh on this 2-core
        // machine is slow enough to start that it tests the machine rather than the failover.
        do
        {
            var person = await PersonAsync($"p{people.Count}", cluster.BaseUrl);
            await person.JoinAsync(room, $"P{people.Count}");
            people.Add(person);
            holders = await cluster.HoldersAsync(room);
        } while (people.Count < 3 || holders.Values.Select(h => h![..2]).Distinct().Count() < 2 && people.Count < 4);
        await CallPage.ExpectEveryPairPlayingAsync([.. people]);
        var ids = new List<string>();
        foreach (var person in people) ids.Add((await person.SelfIdAsync())!);
        var frozen = holders.Values.GroupBy(h => h![..2]).OrderByDescending(g => g.Count()).First().Key;
        var live = frozen == "a-" ? "b-" : "a-";
        Log($"before: {string.Join(", ", ids.Select(id => holders[id]))}; freezing {frozen}");

        cluster.Named(frozen).Freeze();
        var clock = Stopwatch.StartNew();
        TimeSpan resumed;
        try
        {
            while (!(await cluster.HoldersAsync(room)).Values.All(h => h?.StartsWith(live) == true))
            {
                // Within 15 s, as the issue asks; the cluster itself gives a frozen instance's seats up no sooner than
                // 12 - 3 + 10 = 19 s after the freeze (the README's timings). 7-13 s measured here: 5-8 s to notice,
                // 2 s for nginx to give up on the frozen instance, then the connection and the join.
                if (clock.Elapsed > TimeSpan.FromSeconds(15))
                {
                    var pages = await Task.WhenAll(people.Select(p => p.CallRoot.GetAttributeAsync("data-call-state")));
                    Log($"nginx:\n{cluster.NginxLog}");
                    Assert.Fail($"not everyone resumed on the live instance: {string.Join(", ", (await cluster.HoldersAsync(room)).Values)}; pages {string.Join(", ", pages)}");
                }
                await Task.Delay(200);
            }
            resumed = clock.Elapsed;
            for (var i = 0; i < people.Count; i++)
            {
                await people[i].ExpectStateAsync("in-call");
                Assert.Equal(ids[i], await people[i].SelfIdAsync());
            }
            await CallPage.ExpectEveryPairPlayingAsync([.. people]);
            // Beyond the instance timeout and the grace together: still nobody has left.
            while (clock.Elapsed < TimeSpan.FromSeconds(25)) await Task.Delay(500);
            Assert.Equal(0L, await AppProcess.AuditEventsAsync(cluster.ConnectionString, room, "participant_left"));
        }
        finally
        {
            cluster.Named(frozen).Thaw();
        }
        Log($"{frozen} frozen 25 s: everyone back on {live} as themselves after {resumed.TotalSeconds:F1} s");

        // Thawed, the instance finds it was declared dead and drops what it held; nobody is in the call twice and no
        // page lost its connection.
        var thawed = Stopwatch.StartNew();
        while (!cluster.Named(frozen).Output.Contains("was declared dead"))
        {
            Assert.True(thawed.Elapsed < TimeSpan.FromSeconds(15), "the thawed instance did not notice it was declared dead");
            await Task.Delay(200);
        }
        await Task.Delay(3000);
        Assert.Equal(ids.Order(), (await cluster.HoldersAsync(room)).Keys.Order());
        foreach (var person in people)
        {
            await person.ExpectStateAsync("in-call");
            await person.ExpectPeerCountAsync(people.Count - 1);
        }
        await CallPage.ExpectEveryPairPlayingAsync([.. people]);
        Assert.Equal(0L, await AppProcess.AuditEventsAsync(cluster.ConnectionString, room, "participant_left"));
        Assert.Equal((long)people.Count, await AppProcess.AuditEventsAsync(cluster.ConnectionString, room, "participant_joined"));

        // And it serves again: someone joins through it directly and meets everyone.
        var late = await PersonAsync("late", cluster.Named(frozen).BaseUrl);
        await late.JoinAsync(room, "Late");
        await CallPage.ExpectEveryPairPlayingAsync([.. people, late]);
    }

    [Fact]
    public async Task A_5_s_Redis_outage_and_a_database_restart_stop_no_media_evict_nobody_and_log_no_errors_from_the_first_start_on()
    {
        await using var cluster = await ProxiedCluster.StartAsync(Log, withNginx: false);
        var room = await cluster.A.CreateRoomAsync("Bad day");
        var ann = await PersonAsync("ann", cluster.A.BaseUrl);
        await ann.JoinAsync(room, "Ann");
        var ben = await PersonAsync("ben", cluster.B.BaseUrl);
        await ben.JoinAsync(room, "Ben");
        await CallPage.ExpectEveryPairPlayingAsync(ann, ben);

        cluster.Redis.Kill();
        await Task.Delay(5000);
        await cluster.Redis.RestartAsync();
        await WaitReadyAsync(cluster);
        await TestCluster.StopAsync();
        await Task.Delay(2000);
        await TestCluster.StartAsync();
        await WaitReadyAsync(cluster);

        foreach (var person in new[] { ann, ben }) await person.ExpectStateAsync("in-call");
        await CallPage.ExpectEveryPairPlayingAsync(ann, ben);
        // The call's signaling works again across instances: Ann mutes, Ben's page shows it.
        await ann.Button("Mute").ClickAsync();
        await Expect(ben.Tile((await ann.SelfIdAsync())!)).ToHaveAttributeAsync("data-audio-muted", "true", new() { Timeout = 10000 });
        Assert.Equal(0L, await AppProcess.AuditEventsAsync(cluster.ConnectionString, room, "participant_left"));
        foreach (var instance in new[] { cluster.A, cluster.B })
        {
            // Each outage is a few one-line warnings per instance, and the first start on an empty database says nothing.
            Log(instance.Output);
            Assert.DoesNotContain("fail:", instance.Output);
            Assert.Contains("Lost Redis", instance.Output);
            Assert.DoesNotContain("   at ", instance.Output); // no stack traces
        }
    }

    /// <summary>Both instances answer /health/ready with 200 (Redis and the database back, seats reconciled).</summary>
    private static async Task WaitReadyAsync(ProxiedCluster cluster)
    {
        using var http = new HttpClient();
        var clock = Stopwatch.StartNew();
        foreach (var instance in new[] { cluster.A, cluster.B })
        {
            while (!(await http.GetAsync($"{instance.BaseUrl}/health/ready")).IsSuccessStatusCode)
            {
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "an instance did not become ready again");
                await Task.Delay(200);
            }
        }
    }

    [Fact]
    public async Task In_relay_only_mode_every_pair_sends_media_through_coturn_and_video_plays_both_ways()
    {
        var dir = Directory.CreateTempSubdirectory("meshmeet-turn-").FullName;
        var port = ServerProcess.FreePort();
        var config = await ShellLib.RunAsync("local_turn_config", dir, $"{port}", "relay-test-secret");
        await using var turn = await ServerProcess.StartAsync("turnserver", ["-c", config], port);
        await using var app = await AppProcess.StartAsync(Log, environment: new Dictionary<string, string>
        {
            ["Turn__Urls__0"] = $"turn:127.0.0.1:{port}?transport=udp",
            ["Turn__Secret"] = "relay-test-secret",
            ["Signaling__IceTransportPolicy"] = "relay",
            // The shortest credentials there are: each page asks for fresh ones after 30 s.
            ["Turn__CredentialMinutes"] = "1",
        });
        var room = await app.CreateRoomAsync("Private");
        var ann = await PersonAsync("ann", app.BaseUrl);
        await ann.OpenAsync(room);
        await Expect(ann.Page.Locator("[data-relay-only]")).ToContainTextAsync("nobody in the call learns your IP address");
        await ann.JoinAsync(room, "Ann");
        var ben = await PersonAsync("ben", app.BaseUrl);
        await ben.JoinAsync(room, "Ben");

        await CallPage.ExpectEveryPairPlayingAsync(ann, ben);
        foreach (var person in new[] { ann, ben })
        {
            // The candidate pair each browser selected: relayed on its own side and on the other's. Read until the
            // pair's connection is settled (on a busy machine a pair may be repairing itself at that moment).
            string[] pairs = [];
            for (var tries = 0; tries < 40 && pairs is not ["relay/relay"]; tries++)
            {
                if (tries > 0) await Task.Delay(500);
                pairs = await person.Page.EvaluateAsync<string[]>("""
                    async () => Promise.all(window.__peerConnections.filter(pc => pc.connectionState !== 'closed').map(async pc => {
                      const stats = await pc.getStats();
                      let pair;
                      stats.forEach(s => { if (s.type === 'transport' && s.selectedCandidatePairId) pair = stats.get(s.selectedCandidatePairId); });
                      return pair ? `${stats.get(pair.localCandidateId).candidateType}/${stats.get(pair.remoteCandidateId).candidateType}` : pc.connectionState;
                    }))
                    """);
            }
            Assert.Equal(["relay/relay"], pairs);
            // ... and the tile says so to the person.
            var other = person == ann ? ben : ann;
            await Expect(person.Tile((await other.SelfIdAsync())!)).ToHaveAttributeAsync("data-link-path", "relay");
        }

        // Credentials run out in minutes: while in the call, each page gets fresh ones and hands them to its connection.
        const string usernames = "() => window.__peerConnections.filter(pc => pc.connectionState !== 'closed').map(pc => pc.getConfiguration().iceServers[0].username).join()";
        var first = await ann.Page.EvaluateAsync<string>(usernames);
        var clock = Stopwatch.StartNew();
        while (await ann.Page.EvaluateAsync<string>(usernames) == first)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"still the credentials of the join: {first}");
            await Task.Delay(1000);
        }
        var fresh = (await ann.Page.EvaluateAsync<string>(usernames)).Split(':');
        Assert.True(long.Parse(fresh[0]) > long.Parse(first.Split(':')[0]), $"{first} -> {string.Join(':', fresh)}");
        await CallPage.ExpectEveryPairPlayingAsync(ann, ben);
        Directory.Delete(dir, recursive: true);
    }
}
