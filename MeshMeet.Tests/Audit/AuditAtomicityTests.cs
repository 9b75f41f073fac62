using System.Net;
using System.Net.Http.Json;
using MeshMeet.Tests.Support;
using MeshMeet.Web.Audit;
using Microsoft.Extensions.DependencyInjection;

namespace MeshMeet.Tests.Audit;

/// <summary>
/// The room change and its audit event commit together or not at all. A trigger that fails one side's INSERT stands
/// in for any fault there; each test gets its own app and database because the triggers break everything else.
/// </summary>
public sealed class AuditAtomicityTests : IAsyncLifetime
{
    private readonly MeshMeetApp _app = new();

    public Task InitializeAsync() => _app.InitializeAsync();
    public async Task DisposeAsync() => await _app.DisposeAsync();

    private Task FailInsertsInto(string table) => TestDatabase.ExecuteAsync(_app.ConnectionString, $"""
        CREATE OR REPLACE FUNCTION refuse_insert() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'insert refused by test'; END $$;
        CREATE TRIGGER refuse BEFORE INSERT OR DELETE ON {table} FOR EACH ROW EXECUTE FUNCTION refuse_insert();
        """);

    private Task<long> Count(string table) => TestDatabase.ScalarAsync<long>(_app.ConnectionString, $"SELECT count(*) FROM {table}")!;

    [Fact]
    public async Task When_the_event_append_fails_the_room_is_not_created()
    {
        using var host = _app.BearerClient(await _app.TokenAsync(await _app.CreateHostAsync()));
        await FailInsertsInto($"{AuditSetup.Schema}.mt_events");

        var response = await host.PostAsJsonAsync("/api/rooms", new { name = "Doomed" });

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal(0, await Count("rooms"));
        // Marten may write a tombstone stream after a failed append (to keep its sequence gap-free); the room's own
        // summary, which commits with the events, must not exist.
        Assert.Equal(0, await Count($"{AuditSetup.Schema}.mt_doc_roomsummary"));
    }

    [Fact]
    public async Task When_the_room_insert_fails_no_event_is_recorded()
    {
        using var host = _app.BearerClient(await _app.TokenAsync(await _app.CreateHostAsync()));
        await FailInsertsInto("rooms");

        var response = await host.PostAsJsonAsync("/api/rooms", new { name = "Doomed" });

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal(0, await Count($"{AuditSetup.Schema}.mt_events"));
    }

    [Fact]
    public async Task When_the_deleted_event_cannot_be_appended_the_room_stays()
    {
        var token = await _app.TokenAsync(await _app.CreateHostAsync());
        var roomId = await _app.CreateRoomAsync(token);
        using var host = _app.BearerClient(token);
        await FailInsertsInto($"{AuditSetup.Schema}.mt_events");

        var response = await host.DeleteAsync($"/api/rooms/{roomId}");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal(1, await Count("rooms"));
    }

    [Fact]
    public async Task Creating_and_deleting_a_room_records_both_events_with_who_did_it()
    {
        var email = await _app.CreateHostAsync();
        var token = await _app.TokenAsync(email);
        var roomId = await _app.CreateRoomAsync(token, "Planning", 4);
        using var host = _app.BearerClient(token);
        await host.DeleteAsync($"/api/rooms/{roomId}");

        await using var scope = _app.Services.CreateAsyncScope();
        var timeline = await scope.ServiceProvider.GetRequiredService<AuditQueries>().TimelineAsync(roomId);

        Assert.Equal([nameof(RoomCreated), nameof(RoomDeleted)], timeline.Select(e => e.Event));
        Assert.All(timeline, e => Assert.Contains(email, e.Actor));
        Assert.All(timeline, e => Assert.Equal("Planning", e.RoomName));
        Assert.Equal(0, await Count("rooms"));
    }
}
