using System.Net;
using MeshMeet.Tests.Support;
using MeshMeet.Web.Cluster;
using MeshMeet.Web.Infrastructure;
using MeshMeet.Web.Signaling;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MeshMeet.Tests.Cluster;

/// <summary>Two instances on one database and one Redis: one call across both, and each instance's people safe from
/// the other's restarts.</summary>
public sealed class ClusterTests(TwoInstances cluster) : IClassFixture<TwoInstances>
{
    private MeshMeetApp A => cluster.A;
    private MeshMeetApp B => cluster.B;

    private async Task<(string Room, string HostToken)> RoomAsync()
    {
        var token = await A.TokenAsync(await A.CreateHostAsync());
        return (await A.CreateRoomAsync(token, "Across instances"), token);
    }

    private static IceCandidate Candidate(int n) => new($"candidate:{n} 1 udp 1 127.0.0.1 5000 typ host", "0", 0, "u");
    private static int Numbered(SignalMessage m) => int.Parse(m.Candidate!.Candidate!.Split(' ')[0]["candidate:".Length..]);

    /// <summary>A room's call across both instances: its host on A, Ann and then Bob on B (the caller disposes them).</summary>
    private async Task<(string Room, CallClient Host, CallClient Ann, CallClient Bob)> HostOnAWithAnnAndBobOnBAsync()
    {
        var (room, hostToken) = await RoomAsync();
        var host = await CallClient.ConnectAsync(A, hostToken);
        var ann = await CallClient.ConnectAsync(B);
        var bob = await CallClient.ConnectAsync(B);
        await host.JoinAsync(room, "Host");
        await ann.JoinAsync(room, "Ann");
        await bob.JoinAsync(room, "Bob");
        return (room, host, ann, bob);
    }

    private static async Task<T> InScopeAsync<T>(MeshMeetApp app, Func<MeshMeetDb, Task<T>> query)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<MeshMeetDb>());
    }

    [Fact]
    public async Task Instances_started_together_on_a_new_database_both_serve_with_one_schema_and_one_shared_key()
    {
        foreach (var app in new[] { A, B })
        {
            using var http = app.NewClient();
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/ready")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/live")).StatusCode);
        }
        Assert.Equal(1, await InScopeAsync(A, db => db.DataProtectionKeys.CountAsync()));
        Assert.True(await InScopeAsync(A, db => db.Instances.CountAsync()) >= 2);
    }

    [Fact]
    public async Task A_guest_knocking_on_B_is_seen_and_let_in_by_the_host_on_A_and_one_turned_away_on_B_hears_why()
    {
        var (room, hostToken) = await RoomAsync();
        await A.ChangeRoomAsync(hostToken, room, new { lobby = true });
        await using var host = await CallClient.ConnectAsync(A, hostToken);
        await using var ann = await CallClient.ConnectAsync(B);
        await using var bob = await CallClient.ConnectAsync(B);
        await host.JoinAsync(room, "Host");

        Assert.True((await ann.JoinAsync(room, "Ann")).HostPresent);
        Assert.True((await bob.JoinAsync(room, "Bob")).Waiting);
        var waiting = (await host.WaitForAsync<LobbyChanged>("LobbyChanged", m => m.Waiting.Length == 2)).Waiting;
        await host.InvokeAsync("AdmitGuest", new AdmitGuestRequest(waiting.Single(w => w.DisplayName == "Ann").Id));
        await host.InvokeAsync("DenyGuest", new DenyGuestRequest(waiting.Single(w => w.DisplayName == "Bob").Id));

        var ticket = (await ann.WaitForAsync<AdmittedFromLobby>("Admitted")).Ticket;
        var seated = await ann.JoinAsync(room, "Ann", admissionTicket: ticket);
        Assert.Equal(seated.SelfId, (await host.WaitForAsync<PeerInfo>("PeerJoined")).Id);
        Assert.Equal("The host didn't let you in.", (await bob.WaitForAsync<Denied>("Denied")).Reason);
        await host.InvokeAsync("Signal", new SignalRequest(ann.SelfId, new SessionDescription("offer", "v=0 across"), null));
        Assert.Equal("v=0 across", (await ann.WaitForAsync<SignalMessage>("Signal")).Description!.Sdp);
    }

    [Fact]
    public async Task A_call_spans_instances_and_a_kick_committed_on_A_stops_the_connection_on_B_at_once()
    {
        var (room, host, ann, bob) = await HostOnAWithAnnAndBobOnBAsync();
        await using var hostConnection = host;
        await using var annConnection = ann;
        await using var bobConnection = bob;
        Assert.Equal(["Ann", "Host"], bob.Joined!.Peers.Select(p => p.DisplayName).Order());

        // Announcements, signals and state cross in both directions.
        await host.WaitForAsync<PeerInfo>("PeerJoined", p => p.Id == bob.SelfId);
        await host.InvokeAsync("Signal", new SignalRequest(ann.SelfId, new SessionDescription("offer", "v=0 from A"), null));
        await ann.WaitForAsync<SignalMessage>("Signal", s => s.From == host.SelfId && s.Description!.Sdp == "v=0 from A");
        await bob.InvokeAsync("Signal", new SignalRequest(host.SelfId, null, Candidate(1)));
        await host.WaitForAsync<SignalMessage>("Signal", s => s.From == bob.SelfId);
        await ann.InvokeAsync("SetMediaState", new SetMediaStateRequest(true, false));
        await host.WaitForAsync<MediaStateChanged>("MediaStateChanged", m => m.Id == ann.SelfId && m.AudioMuted);
        await bob.WaitForAsync<MediaStateChanged>("MediaStateChanged", m => m.Id == ann.SelfId && m.AudioMuted);

        // Bob floods Ann from B while the host kicks him from A.
        var flood = Task.Run(async () =>
        {
            for (var n = 0; ; n++)
            {
                try { await bob.InvokeAsync("Signal", new SignalRequest(ann.SelfId, null, Candidate(n))); }
                catch (HubException e) when (CallClient.Reason(e).StartsWith("Too many requests")) { await Task.Delay(20); }
                catch (HubException e) { return CallClient.Reason(e); }
            }
        });
        await ann.WaitForAsync<SignalMessage>("Signal", s => s.From == bob.SelfId && s.Candidate is not null);
        await host.InvokeAsync("KickParticipant", new KickParticipantRequest(bob.SelfId));
        // The kick returned on A: Bob's instance has already revoked his seat. (Ann is on B too, so his flood is relayed
        // without Redis and may have used up his rate bucket: a refusal for that is not the answer waited for.)
        var refused = "";
        for (var tries = 0; tries < 100; tries++)
        {
            refused = CallClient.Reason(await Assert.ThrowsAsync<HubException>(() => bob.InvokeAsync("Signal", new SignalRequest(ann.SelfId, null, Candidate(-1)))));
            if (!refused.StartsWith("Too many requests", StringComparison.Ordinal)) break;
            await Task.Delay(20);
        }
        Assert.Equal(JoinRules.NotInRoom, refused);
        Assert.Equal(JoinRules.NotInRoom, await flood);
        await bob.WaitForAsync<Kicked>("Kicked");
        await ann.WaitForAsync<PeerLeft>("PeerLeft", p => p.Id == bob.SelfId && p.Reason == "kicked");
        await Task.Delay(300);
        var received = ann.Received.ToList();
        var left = received.FindIndex(e => e.Payload is PeerLeft p && p.Id == bob.SelfId);
        Assert.DoesNotContain(received.Skip(left + 1), e => e.Payload is SignalMessage s && s.From == bob.SelfId);
        // The kick sticks on B: that connection cannot join again.
        var rejoin = await Assert.ThrowsAsync<HubException>(() => bob.JoinAsync(room, "Bob again"));
        Assert.Contains("removed", CallClient.Reason(rejoin));
    }

    [Fact]
    public async Task Signals_between_people_on_one_instance_never_cross_Redis_and_those_to_the_other_instance_arrive_in_order()
    {
        var (_, host, ann, bob) = await HostOnAWithAnnAndBobOnBAsync();
        await using var hostConnection = host;
        await using var annConnection = ann;
        await using var bobConnection = bob;
        await ann.WaitForAsync<PeerInfo>("PeerJoined", p => p.DisplayName == "Bob");
        await using var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(cluster.Redis.RedisConnectionString + ",allowAdmin=true");
        var server = redis.GetServer(redis.GetEndPoints()[0]);
        async Task<long> PublishesAsync() => long.Parse(((string?)await server.ExecuteAsync("INFO", "commandstats"))!
            .Split('\n').Where(l => l.StartsWith("cmdstat_publish:", StringComparison.Ordinal))
            .Select(l => l.Split("calls=")[1].Split(',')[0]).DefaultIfEmpty("0").Single());

        // Ann and Bob are both on B: forty signals each way, and not one PUBLISH.
        var before = await PublishesAsync();
        for (var i = 0; i < 40; i++)
        {
            await ann.InvokeAsync("Signal", new SignalRequest(bob.SelfId, null, Candidate(i)));
            await bob.InvokeAsync("Signal", new SignalRequest(ann.SelfId, null, Candidate(i)));
        }
        foreach (var (to, from) in new[] { (bob, ann), (ann, bob) })
        {
            await to.WaitForAsync<SignalMessage>("Signal", m => m.From == from.SelfId && Numbered(m) == 39);
            Assert.Equal(Enumerable.Range(0, 40), to.Events<SignalMessage>("Signal").Where(m => m.From == from.SelfId).Select(Numbered));
        }
        Assert.Equal(0, await PublishesAsync() - before);

        // To the host on A they cross, once each, in order.
        before = await PublishesAsync();
        for (var i = 0; i < 20; i++) await ann.InvokeAsync("Signal", new SignalRequest(host.SelfId, null, Candidate(i)));
        await host.WaitForAsync<SignalMessage>("Signal", m => Numbered(m) == 19);
        Assert.Equal(Enumerable.Range(0, 20), host.Events<SignalMessage>("Signal").Select(Numbered));
        Assert.InRange(await PublishesAsync() - before, 20, 22);
    }

    [Fact]
    public async Task A_client_on_B_cannot_signal_a_peer_in_another_room_on_A()
    {
        var (roomOne, _) = await RoomAsync();
        var (roomTwo, _) = await RoomAsync();
        await using var onA = await CallClient.ConnectAsync(A);
        await using var onB = await CallClient.ConnectAsync(B);
        await onA.JoinAsync(roomOne, "In room one");
        await onB.JoinAsync(roomTwo, "In room two");

        var refused = await Assert.ThrowsAsync<HubException>(() => onB.InvokeAsync("Signal", new SignalRequest(onA.SelfId, null, Candidate(1))));
        Assert.Equal("That participant is not in your room.", CallClient.Reason(refused));
        await Task.Delay(300);
        Assert.Equal(0, onA.Count("Signal"));
    }

    [Fact]
    public async Task Signing_in_on_A_gives_a_cookie_that_works_on_B_for_pages_htmx_forms_and_the_api()
    {
        var email = await A.CreateHostAsync();
        var cookies = new CookieContainer();
        HttpClient On(MeshMeetApp app) => new(new SocketsHttpHandler { AllowAutoRedirect = false, CookieContainer = cookies })
            { BaseAddress = new Uri(app.BaseUrl) };
        using var onA = On(A);
        using var onB = On(B);
        Assert.Equal(HttpStatusCode.Redirect, (await Forms.SignInAsync(onA, email, MeshMeetApp.Password)).StatusCode);
        // Both instances listen on 127.0.0.1 (another port), so the browser sends the same cookies to both.

        var page = await onB.GetAsync("/rooms");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains(email, await page.Content.ReadAsStringAsync());

        // The antiforgery token comes from A's page, the post goes to B.
        var token = await Forms.AntiforgeryTokenAsync(onA, "/rooms");
        using var form = new HttpRequestMessage(HttpMethod.Post, "/rooms?handler=Create")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["Form.Name"] = "Made on B", ["Form.Capacity"] = "4", ["__RequestVerificationToken"] = token,
            }),
        };
        form.Headers.Add("HX-Request", "true");
        var created = await onB.SendAsync(form);
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        Assert.Contains("Made on B", await created.Content.ReadAsStringAsync());

        var api = await onB.GetStringAsync("/api/rooms");
        Assert.Contains("Made on B", api);
    }

    [Fact]
    public async Task An_instance_that_starts_and_stops_sends_away_only_its_own_people()
    {
        var (room, hostToken) = await RoomAsync();
        await using var host = await CallClient.ConnectAsync(B, hostToken);
        await using var ann = await CallClient.ConnectAsync(B);
        await host.JoinAsync(room, "Host");
        await ann.JoinAsync(room, "Ann");

        // A third instance starts (on the old code, start-up released every seat), takes a guest, and stops.
        var third = cluster.Another();
        await third.InitializeAsync();
        string visitorId;
        await using (var visitor = await CallClient.ConnectAsync(third))
        {
            visitorId = (await visitor.JoinAsync(room, "Visitor")).SelfId;
            await host.WaitForAsync<PeerInfo>("PeerJoined", p => p.Id == visitorId);
            await ((IAsyncLifetime)third).DisposeAsync();
        }

        // The visitor's seat waits out its grace period (2 s here) and goes; the people on B stay.
        await host.WaitForAsync<PeerLeft>("PeerLeft", p => p.Id == visitorId && p.Reason == LeaveReasons.Disconnected, timeoutMs: 15000);
        await Task.Delay(4000); // beyond another grace period and a heartbeat timeout
        Assert.DoesNotContain(host.Events<PeerLeft>("PeerLeft"), p => p.Id == ann.SelfId);
        Assert.DoesNotContain(ann.Events<PeerLeft>("PeerLeft"), p => p.Id == host.SelfId);
        var seats = await InScopeAsync(B, db => db.Participants.Where(p => p.RoomId != Guid.Empty && p.DisconnectedAt == null
            && (p.Id == host.SelfId || p.Id == ann.SelfId)).CountAsync());
        Assert.Equal(2, seats);
        await ann.InvokeAsync("Signal", new SignalRequest(host.SelfId, null, Candidate(7)));
        await host.WaitForAsync<SignalMessage>("Signal", s => s.From == ann.SelfId);
    }

    [Fact]
    public async Task The_seats_of_an_instance_that_went_silent_expire_after_the_grace_period_and_no_others()
    {
        var (room, hostToken) = await RoomAsync();
        await using var host = await CallClient.ConnectAsync(A, hostToken);
        await using var ann = await CallClient.ConnectAsync(B);
        await host.JoinAsync(room, "Host");
        await ann.JoinAsync(room, "Ann");

        // An instance that crashed a minute ago, still holding a seat in this call.
        var ghostId = SecureId.New();
        await InScopeAsync(A, async db =>
        {
            var roomId = await db.Rooms.Where(r => r.PublicId == room).Select(r => r.Id).SingleAsync();
            var dead = new ServerInstance { Id = "crashed-" + SecureId.New(3), StartedAt = DateTimeOffset.UtcNow.AddHours(-1), HeartbeatAt = DateTimeOffset.UtcNow.AddMinutes(-1) };
            db.Instances.Add(dead);
            db.Participants.Add(new Participant
            {
                Id = ghostId, RoomId = roomId, DisplayName = "On the crashed instance", ConnectionId = "gone-" + SecureId.New(),
                InstanceId = dead.Id, ReconnectTokenHash = SecureId.Hash(SecureId.New()), JoinedAt = DateTimeOffset.UtcNow,
            });
            return await db.SaveChangesAsync();
        });

        await host.WaitForAsync<PeerLeft>("PeerLeft", p => p.Id == ghostId && p.Reason == LeaveReasons.Disconnected, timeoutMs: 15000);
        await ann.WaitForAsync<PeerLeft>("PeerLeft", p => p.Id == ghostId);
        Assert.Equal(1, host.Count("PeerLeft"));
        Assert.Equal(1, ann.Count("PeerLeft"));
        Assert.Equal(2, await InScopeAsync(A, db => db.Participants.CountAsync(p => p.Id == host.SelfId || p.Id == ann.SelfId)));
    }
}
