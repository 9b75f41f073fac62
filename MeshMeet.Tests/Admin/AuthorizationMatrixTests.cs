using System.Net;
using System.Net.Http.Json;
using MeshMeet.Tests.Support;
using MeshMeet.Web.Signaling;
using Microsoft.AspNetCore.SignalR;

namespace MeshMeet.Tests.Admin;

/// <summary>
/// Who may do what to a room: every actor against every page, endpoint and hub method that changes or reveals a
/// room. Exactly the cells in <see cref="Allowed"/> succeed; in every other cell nothing is revealed or changed.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class AuthorizationMatrixTests(MeshMeetApp app)
{
    /// <summary>CohostInRoom: a guest the owner made co-host of this call.</summary>
    public enum Actor { Anonymous, GuestInRoom, GuestInOtherRoom, OtherHost, CohostInRoom, Owner, Admin }

    public enum Action { ListRoomsApi, RoomsPage, DeleteRoomApi, AuditLog, RoomHistory, AuditExport, LiveOverview, AdminCloseCall, Kick, EndCall, LockRoom,
        AppointCohost, MuteOthers, SetLobby, ChangeRoomApi }

    private static readonly HashSet<(Actor, Action)> Allowed =
    [
        (Actor.Owner, Action.ListRoomsApi), (Actor.Owner, Action.RoomsPage), (Actor.Owner, Action.DeleteRoomApi),
        (Actor.Owner, Action.Kick), (Actor.Owner, Action.EndCall), (Actor.Owner, Action.LockRoom), (Actor.Owner, Action.AppointCohost),
        (Actor.Owner, Action.MuteOthers), (Actor.Owner, Action.SetLobby), (Actor.Owner, Action.ChangeRoomApi),
        (Actor.CohostInRoom, Action.Kick), (Actor.CohostInRoom, Action.EndCall), (Actor.CohostInRoom, Action.LockRoom),
        (Actor.CohostInRoom, Action.MuteOthers), (Actor.CohostInRoom, Action.SetLobby),
        (Actor.Admin, Action.AuditLog), (Actor.Admin, Action.RoomHistory), (Actor.Admin, Action.AuditExport),
        (Actor.Admin, Action.LiveOverview), (Actor.Admin, Action.AdminCloseCall),
    ];

    public static TheoryData<Actor, Action> Cells()
    {
        var data = new TheoryData<Actor, Action>();
        foreach (var actor in Enum.GetValues<Actor>())
            foreach (var action in Enum.GetValues<Action>())
                data.Add(actor, action);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public async Task Exactly_the_allowed_cells_succeed(Actor actor, Action action)
    {
        var ownerToken = await app.TokenAsync(await app.CreateHostAsync());
        var room = await app.CreateRoomAsync(ownerToken, $"Matrix {Guid.NewGuid():N}");
        await using var victim = await CallClient.ConnectAsync(app);
        await victim.JoinAsync(room, "Victim");

        var token = actor switch
        {
            Actor.Owner => ownerToken,
            Actor.OtherHost => await app.TokenAsync(await app.CreateHostAsync()),
            Actor.Admin => await app.TokenAsync(MeshMeetApp.AdminEmail, MeshMeetApp.AdminPassword),
            _ => null,
        };
        await using var hub = await CallClient.ConnectAsync(app, token);
        if (actor is not (Actor.Anonymous or Actor.GuestInOtherRoom)) await hub.JoinAsync(room, actor.ToString());
        if (actor is Actor.GuestInOtherRoom) await hub.JoinAsync(await app.CreateRoomAsync(await app.TokenAsync(await app.CreateHostAsync())), "Elsewhere");
        await using var appointer = actor is Actor.CohostInRoom ? await CallClient.ConnectAsync(app, ownerToken) : null;
        if (appointer is not null)
        {
            await appointer.JoinAsync(room, "Owner");
            await appointer.InvokeAsync("SetCohost", new SetCohostRequest(hub.SelfId, true));
        }
        using var http = token is null ? app.NewClient() : app.BearerClient(token);

        var succeeded = await TryAsync(action, http, hub, room, victim);

        Assert.Equal(Allowed.Contains((actor, action)), succeeded);
        if (!succeeded && action is Action.DeleteRoomApi or Action.Kick or Action.EndCall or Action.AdminCloseCall or Action.MuteOthers)
        {
            await Task.Delay(150);
            Assert.Equal(0, victim.Count("Kicked") + victim.Count("RoomClosed") + victim.Count("MutedByHost")); // the victim's call went on
        }
    }

    private static async Task<bool> TryAsync(Action action, HttpClient http, CallClient hub, string room, CallClient victim)
    {
        async Task<bool> Reveals(string url) =>
            await http.GetAsync(url) is { StatusCode: HttpStatusCode.OK } r && (await r.Content.ReadAsStringAsync()).Contains(room);
        async Task<bool> CloseFromOverview()
        {
            var token = await Forms.TryAntiforgeryTokenAsync(http, "/admin");
            var form = token is null ? new Dictionary<string, string>() : new() { ["__RequestVerificationToken"] = token };
            var response = await http.PostAsync($"/admin?handler=Close&id={room}", new FormUrlEncodedContent(form));
            if (response.StatusCode != HttpStatusCode.OK) return false;
            await victim.WaitForAsync<RoomClosed>("RoomClosed");
            return true;
        }
        async Task<bool> Hub(string method, object message)
        {
            try { await hub.InvokeAsync(method, message); return true; }
            catch (HubException) { return false; }
        }

        return action switch
        {
            Action.ListRoomsApi => await Reveals("/api/rooms"),
            Action.RoomsPage => await Reveals("/rooms"),
            Action.DeleteRoomApi => (await http.DeleteAsync($"/api/rooms/{room}")).StatusCode == HttpStatusCode.NoContent,
            Action.AuditLog => await Reveals($"/admin/audit?room={room}"),
            Action.RoomHistory => await Reveals($"/admin/audit/rooms/{room}"),
            Action.AuditExport => await Reveals($"/admin/audit/export?room={room}"),
            Action.LiveOverview => await Reveals("/admin"),
            Action.AdminCloseCall => await CloseFromOverview(),
            Action.Kick => await Hub("KickParticipant", new KickParticipantRequest(victim.SelfId)),
            Action.EndCall => await Hub("EndRoom", new EndRoomRequest()),
            Action.LockRoom => await Hub("SetRoomLock", new SetRoomLockRequest(true)),
            Action.AppointCohost => await Hub("SetCohost", new SetCohostRequest(victim.SelfId, true)),
            Action.MuteOthers => await Hub("MuteParticipant", new MuteParticipantRequest(victim.SelfId, "audio")),
            Action.SetLobby => await Hub("SetLobby", new SetLobbyRequest(true)),
            Action.ChangeRoomApi => (await http.PatchAsJsonAsync($"/api/rooms/{room}", new { lobby = true })).StatusCode == HttpStatusCode.OK,
            _ => throw new ArgumentOutOfRangeException(nameof(action)),
        };
    }
}
