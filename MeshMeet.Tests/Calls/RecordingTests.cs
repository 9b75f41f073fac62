using MeshMeet.Tests.Support;
using MeshMeet.Web.Calls.Recording;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;

namespace MeshMeet.Tests.Calls;

/// <summary>Local recording with consent, through real SignalR clients: the room is told and the audit log records
/// who and when; a host can turn it off for the room.</summary>
[Collection(AppCollection.Name)]
public sealed class RecordingTests(MeshMeetApp app)
{
    [Fact]
    public void The_banner_words_name_everyone_recording()
    {
        Assert.Equal("", RecordingRules.Describe([]));
        Assert.Equal("Ann is recording this call.", RecordingRules.Describe(["Ann"]));
        Assert.Equal("Ann, Ben and Cleo are recording this call.", RecordingRules.Describe(["Ann", "Ben", "Cleo"]));
    }

    [Fact]
    public async Task Everyone_hears_who_records_a_joiner_reads_it_before_joining_and_a_host_turning_it_off_stops_it_on_record()
    {
        var token = await app.TokenAsync(await app.CreateHostAsync());
        var room = await app.CreateRoomAsync(token, "Recorded");
        await using var host = await CallClient.ConnectAsync(app, token);
        await using var ann = await CallClient.ConnectAsync(app);
        await host.JoinAsync(room, "Host");
        await ann.JoinAsync(room, "Ann");

        await ann.InvokeAsync("SetRecording", new SetRecordingRequest(true));
        Assert.Equal(new RecordingChanged(ann.SelfId, true), await host.WaitForAsync<RecordingChanged>("RecordingChanged"));
        await ann.InvokeAsync("SetRecording", new SetRecordingRequest(true)); // again: nothing new
        using var browser = app.NewClient();
        Assert.Contains("Ann is recording this call.", await browser.GetStringAsync($"/r/{room}"));
        await using var ben = await CallClient.ConnectAsync(app);
        Assert.True((await ben.JoinAsync(room, "Ben")).Peers.Single(p => p.Id == ann.SelfId).Recording);

        // Only a host turns it off; then nobody may start, and Ann's recording stops, recorded as the host's doing.
        var byGuest = await Assert.ThrowsAsync<HubException>(() => ben.InvokeAsync("SetRecordingAllowed", new SetRecordingAllowedRequest(false)));
        Assert.Equal("Only the room's host or a co-host can do that.", CallClient.Reason(byGuest));
        await host.InvokeAsync("SetRecordingAllowed", new SetRecordingAllowedRequest(false));
        Assert.Equal(new RecordingChanged(ann.SelfId, false), await ben.WaitForAsync<RecordingChanged>("RecordingChanged", m => !m.Recording));
        Assert.False((await ben.WaitForAsync<RecordingAllowedChanged>("RecordingAllowedChanged")).Allowed);
        var refused = await Assert.ThrowsAsync<HubException>(() => ben.InvokeAsync("SetRecording", new SetRecordingRequest(true)));
        Assert.Equal("The host has turned recording off for this room.", CallClient.Reason(refused));
        Assert.DoesNotContain("is recording", await browser.GetStringAsync($"/r/{room}"));

        // Allowed again: Ben records and leaves; his leaving ends the recording on record.
        await host.InvokeAsync("SetRecordingAllowed", new SetRecordingAllowedRequest(true));
        await ben.InvokeAsync("SetRecording", new SetRecordingRequest(true));
        await ben.InvokeAsync("LeaveRoom", new Web.Signaling.LeaveRoomRequest());

        await using var scope = app.Services.CreateAsyncScope();
        var timeline = await scope.ServiceProvider.GetRequiredService<AuditQueries>().TimelineAsync(room);
        Assert.Equal([$"Ann ({ann.SelfId})", $"Ben ({ben.SelfId})"], timeline.Where(e => e.Event == "RecordingStarted").Select(e => e.Participant));
        var stops = timeline.Where(e => e.Event == "RecordingStopped").ToList();
        Assert.Equal([$"Ann ({ann.SelfId})", $"Ben ({ben.SelfId})"], stops.Select(e => e.Participant));
        Assert.StartsWith("Host (", stops[0].Actor);
        Assert.Equal($"Ben ({ben.SelfId})", stops[1].Actor);
    }
}
