using System.Diagnostics;
using System.Net;
using MeshMeet.Tests.Support;
using MeshMeet.Web.Signaling;
using Microsoft.AspNetCore.SignalR;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace MeshMeet.Tests.Cluster;

/// <summary>
/// Redis misbehaving under two instances: a kick while B's subscription is cut, a kick while Redis is down. Each run
/// has the host and Ann on A, Ben (kicked) and Cat on B, and Ben sending candidates to Ann and Cat without a pause:
/// whatever Redis does, nothing Ben sends reaches anyone once the kick has taken effect (or, if it was refused, once
/// it is repeated), and nothing sent while Redis was away is delivered when it returns.
/// </summary>
public sealed class ClusterFaultTests(TwoInstances cluster, ITestOutputHelper output) : IClassFixture<TwoInstances>
{
    private TwoInstances.Instance A => cluster.A;
    private TwoInstances.Instance B => cluster.B;

    private sealed record Call(CallClient Host, CallClient Ann, CallClient Ben, CallClient Cat, string Room) : IAsyncDisposable
    {
        public CallClient[] Others => [Host, Ann, Cat];

        public async ValueTask DisposeAsync()
        {
            foreach (var client in new[] { Host, Ann, Ben, Cat }) await client.DisposeAsync();
        }
    }

    private async Task<Call> CallAsync()
    {
        var token = await A.TokenAsync(await A.CreateHostAsync());
        var room = await A.CreateRoomAsync(token, "Faults");
        var call = new Call(await CallClient.ConnectAsync(A, token), await CallClient.ConnectAsync(A), await CallClient.ConnectAsync(B),
            await CallClient.ConnectAsync(B), room);
        await call.Host.JoinAsync(room, "Host");
        await call.Ann.JoinAsync(room, "Ann");
        await call.Ben.JoinAsync(room, "Ben");
        await call.Cat.JoinAsync(room, "Cat");
        return call;
    }

    /// <summary>Ben sends candidates to Ann and Cat, numbered, until his seat is gone; refusals meanwhile (a
    /// server catching up, a rate limit) are waited out. Returns the numbers, when each was sent and whether it was
    /// taken.</summary>
    private static (Task<string> Done, Func<IReadOnlyList<(int N, DateTime At, bool Sent)>> Sent) Flood(Call call, CancellationToken stop)
    {
        var sent = new System.Collections.Concurrent.ConcurrentQueue<(int, DateTime, bool)>();
        var done = Task.Run(async () =>
        {
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                var to = n % 2 == 0 ? call.Ann.SelfId : call.Cat.SelfId;
                var at = DateTime.UtcNow;
                try
                {
                    await call.Ben.InvokeAsync("Signal", new SignalRequest(to, null, new IceCandidate($"candidate:{n} 1 udp 1 127.0.0.1 5000 typ host", "0", 0, "u")));
                    sent.Enqueue((n, at, true));
                }
                catch (HubException e) when (CallClient.Reason(e) == JoinRules.NotInRoom)
                {
                    return CallClient.Reason(e);
                }
                catch (Exception)
                {
                    sent.Enqueue((n, at, false));
                    await Task.Delay(20);
                }
                await Task.Delay(5);
            }
            return "stopped";
        });
        return (done, () => sent.ToArray());
    }

    private static IEnumerable<int> FromBen(CallClient to, Call call, int skip = 0) =>
        to.Received.Skip(skip).Select(e => e.Payload).OfType<SignalMessage>().Where(s => s.From == call.Ben.SelfId)
            .Select(s => int.Parse(s.Candidate!.Candidate!.Split(' ')[0]["candidate:".Length..]));

    /// <summary>The kick took effect everywhere: everyone else heard PeerLeft, nothing of Ben arrived after it, his
    /// seat on B is gone and he cannot come back.</summary>
    private static async Task ExpectKickedEverywhereAsync(Call call, Task<string> flood)
    {
        Assert.Equal(JoinRules.NotInRoom, await flood.WaitAsync(TimeSpan.FromSeconds(10)));
        await call.Ben.WaitForAsync<Kicked>("Kicked", timeoutMs: 10000);
        foreach (var other in call.Others)
            await other.WaitForAsync<PeerLeft>("PeerLeft", p => p.Id == call.Ben.SelfId && p.Reason == "kicked", timeoutMs: 10000);
        await Task.Delay(1000); // anything still on its way
        foreach (var other in call.Others)
        {
            var received = other.Received.ToList();
            var left = received.FindIndex(e => e.Payload is PeerLeft p && p.Id == call.Ben.SelfId);
            Assert.DoesNotContain(received.Skip(left + 1), e => e.Payload is SignalMessage s && s.From == call.Ben.SelfId);
        }
        var rejoin = await Assert.ThrowsAsync<HubException>(() => call.Ben.JoinAsync(call.Room, "Ben again"));
        Assert.Contains("removed", CallClient.Reason(rejoin));
    }

    [Fact]
    public async Task A_kick_while_Bs_Redis_subscription_is_cut_takes_effect_everywhere_ten_times_of_ten()
    {
        for (var run = 0; run < 10; run++)
        {
            await using var call = await CallAsync();
            using var stop = new CancellationTokenSource();
            var (flood, _) = Flood(call, stop.Token);
            await call.Ann.WaitForAsync<SignalMessage>("Signal", s => s.From == call.Ben.SelfId);
            await call.Cat.WaitForAsync<SignalMessage>("Signal", s => s.From == call.Ben.SelfId);

            var cut = await CutSubscriptionAsync(B);
            await Task.Delay(run * 30); // the kick lands at a different moment of B's reconnect each run
            await call.Host.InvokeAsync("KickParticipant", new KickParticipantRequest(call.Ben.SelfId));
            output.WriteLine($"run {run}: cut {cut} subscription connection(s) of B, kick returned");
            await ExpectKickedEverywhereAsync(call, flood);
            await WaitInStandingAsync();
        }
    }

    [Fact]
    public async Task A_kick_while_Redis_is_down_is_refused_in_words_and_nothing_sent_meanwhile_arrives_later_ten_times_of_ten()
    {
        for (var run = 0; run < 10; run++)
        {
            await using var call = await CallAsync();
            using var stop = new CancellationTokenSource();
            var (flood, sent) = Flood(call, stop.Token);
            await call.Ann.WaitForAsync<SignalMessage>("Signal", s => s.From == call.Ben.SelfId);

            cluster.Redis.Kill();
            var down = DateTime.UtcNow;
            await Task.Delay(run * 40);
            var kick = await Record.ExceptionAsync(() => call.Host.InvokeAsync("KickParticipant", new KickParticipantRequest(call.Ben.SelfId)));
            await Task.Delay(1000);
            var received = call.Others.Select(o => o.Received.Count).ToArray();
            var restarting = DateTime.UtcNow;
            await cluster.Redis.RestartAsync();
            await WaitInStandingAsync();
            output.WriteLine($"run {run}: kick during the outage: {(kick is null ? "done" : CallClient.Reason(kick))}");

            if (kick is not null)
            {
                // Refused in words, and nothing of it happened: Ben is still in the call, and the kick works now.
                Assert.Equal(HubStandingFilter.Refusal, CallClient.Reason(kick));
                Assert.Empty(call.Others.SelectMany(o => o.Events<PeerLeft>("PeerLeft")));
                await call.Host.InvokeAsync("KickParticipant", new KickParticipantRequest(call.Ben.SelfId));
            }
            await ExpectKickedEverywhereAsync(call, flood);
            // What Ben sent while Redis was away was refused then, not delivered when it came back.
            var meanwhile = sent().Where(s => s.At >= down && s.At < restarting).ToList();
            Assert.DoesNotContain(meanwhile, s => s.Sent);
            for (var i = 0; i < call.Others.Length; i++)
                Assert.DoesNotContain(FromBen(call.Others[i], call, received[i]), n => meanwhile.Any(s => s.N == n));
        }
    }

    [Fact]
    public async Task Readiness_answers_503_within_a_second_while_Redis_is_down_or_hangs_and_200_once_it_is_back()
    {
        using var http = A.NewClient();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/ready")).StatusCode);

        cluster.Redis.Kill();
        await ExpectReadinessAsync(http, HttpStatusCode.ServiceUnavailable);
        await cluster.Redis.RestartAsync();
        await WaitInStandingAsync();

        cluster.Redis.Freeze(); // accepts connections, answers nothing
        try { await ExpectReadinessAsync(http, HttpStatusCode.ServiceUnavailable); }
        finally { cluster.Redis.Thaw(); }
        await WaitInStandingAsync();
        Assert.Empty(A.Logs.Errors);
    }

    /// <summary>Three probes in a row, each answered with that status within a second.</summary>
    private static async Task ExpectReadinessAsync(HttpClient http, HttpStatusCode expected)
    {
        var clock = Stopwatch.StartNew();
        HttpStatusCode status;
        do
        {
            await Task.Delay(200);
            status = (await http.GetAsync("/health/ready")).StatusCode;
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"still {status}");
        } while (status != expected);
        for (var probe = 0; probe < 3; probe++)
        {
            var timed = Stopwatch.StartNew();
            Assert.Equal(expected, (await http.GetAsync("/health/ready")).StatusCode);
            Assert.True(timed.Elapsed < TimeSpan.FromSeconds(1), $"probe took {timed.Elapsed.TotalMilliseconds:F0} ms");
        }
    }

    /// <summary>Both instances ready: Redis answers and each has reconciled its seats since it came back.</summary>
    private async Task WaitInStandingAsync()
    {
        var clock = Stopwatch.StartNew();
        foreach (var app in new[] { A, B })
        {
            using var http = app.NewClient();
            while ((await http.GetAsync("/health/ready")).StatusCode != HttpStatusCode.OK)
            {
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "an instance did not get back into standing");
                await Task.Delay(100);
            }
        }
    }

    /// <summary>Closes the instance's Redis subscription connection from the server's side (CLIENT KILL).</summary>
    private async Task<int> CutSubscriptionAsync(TwoInstances.Instance instance)
    {
        await using var admin = await ConnectionMultiplexer.ConnectAsync(cluster.Redis.RedisConnectionString + ",allowAdmin=true");
        var server = admin.GetServers()[0];
        var cut = 0;
        foreach (var client in await server.ClientListAsync())
        {
            if (client.Name != instance.RedisClientName || client.SubscriptionCount + client.PatternSubscriptionCount == 0) continue;
            await server.ClientKillAsync(id: client.Id, skipMe: true);
            cut++;
        }
        Assert.True(cut > 0, "no subscription connection of that instance");
        return cut;
    }
}
