using System.Diagnostics;
using MeshMeet.Web.Telemetry;
using Microsoft.AspNetCore.SignalR;

namespace MeshMeet.Web.Signaling;

/// <summary>
/// Every hub call: its latency (by method, and whether it failed), a log scope naming the caller's room and participant
/// (so every entry a call writes can be traced to them, and nothing else about the call: no SDP, candidates or tokens),
/// and a trace span for the calls that change state. Signal, the hot path, gets neither span nor scope (it logs only
/// faults): one per relayed candidate would cost more than the relay.
/// </summary>
internal sealed class HubTelemetryFilter(MeshMeetMetrics metrics, SeatRegistry seats, ILogger<HubTelemetryFilter> log) : IHubFilter
{
    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext context, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        var method = context.HubMethodName;
        var started = Stopwatch.GetTimestamp();
        var hot = method == nameof(SignalingHub.Signal);
        using var activity = hot ? null : MeshMeetMetrics.Activities.StartActivity($"hub {method}");
        var seat = hot ? null : seats.ByConnection(context.Context.ConnectionId);
        using var scope = seat is null ? null : log.BeginScope(new SeatScope(seat.RoomId, seat.ParticipantId));
        var failed = true;
        try
        {
            var result = await next(context);
            failed = false;
            return result;
        }
        finally
        {
            metrics.HubCall(method, failed, Stopwatch.GetElapsedTime(started).TotalSeconds);
            activity?.SetStatus(failed ? ActivityStatusCode.Error : ActivityStatusCode.Ok);
        }
    }
}

/// <summary>The log scope of anything done for a seated participant: the room (its internal id) and the participant.</summary>
public sealed record SeatScope(Guid RoomId, string ParticipantId) : IReadOnlyList<KeyValuePair<string, object>>
{
    public KeyValuePair<string, object> this[int index] => index == 0
        ? new("RoomId", RoomId)
        : new("ParticipantId", ParticipantId);

    public int Count => 2;

    public IEnumerator<KeyValuePair<string, object>> GetEnumerator()
    {
        yield return this[0];
        yield return this[1];
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => $"room {RoomId:N}, participant {ParticipantId}";
}
