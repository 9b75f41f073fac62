using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace MeshMeet.Web.Telemetry;

/// <summary>What is live on this instance now, read when metrics are scraped (the hub's routing state provides it).</summary>
public interface ILiveCounts
{
    int RoomsWithSeats();
    int SeatCount { get; }
    int OpenCount { get; }
}

/// <summary>
/// MeshMeet's own instruments (meter and activity source "MeshMeet"), per instance: what is live here now (rooms,
/// participants and connections held by this instance), and what happened (joins and refusals by reason, signals
/// relayed, kicks, resumes, hub call latency). Recording is cheap enough for the relay's hot path; live figures are
/// read from the routing state only when scraped.
/// </summary>
public sealed class MeshMeetMetrics : IDisposable
{
    public const string Name = "MeshMeet";
    public static readonly ActivitySource Activities = new(Name);

    private readonly Meter _meter;
    private readonly Counter<long> _joins;
    private readonly Counter<long> _kicks;
    private readonly Histogram<double> _hubCalls;
    private long _signalsTotal;

    public MeshMeetMetrics(IMeterFactory meters, ILiveCounts seats)
    {
        _meter = meters.Create(Name);
        _meter.CreateObservableGauge("meshmeet.rooms.active", () => seats.RoomsWithSeats(), "{room}",
            "Rooms with at least one participant connected to this instance");
        _meter.CreateObservableGauge("meshmeet.participants", () => seats.SeatCount, "{participant}",
            "Participants in a call through this instance");
        _meter.CreateObservableGauge("meshmeet.connections", () => seats.OpenCount, "{connection}",
            "Open hub connections on this instance");
        _joins = _meter.CreateCounter<long>("meshmeet.joins", "{join}", "JoinRoom outcomes, by outcome (admitted, resumed, refused) and reason");
        // Read when scraped: the relay only increments a number.
        _meter.CreateObservableCounter("meshmeet.signals.relayed", () => SignalsRelayed, "{signal}", "Offers, answers and candidates relayed");
        _kicks = _meter.CreateCounter<long>("meshmeet.kicks", "{kick}", "Participants removed by their host");
        _hubCalls = _meter.CreateHistogram<double>("meshmeet.hub.call.duration", "s", "Hub method calls, by method and outcome",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] });
    }

    /// <summary>Signals relayed since start, for the admin overview's rate.</summary>
    public long SignalsRelayed => Interlocked.Read(ref _signalsTotal);

    public void Joined(bool resumed) => _joins.Add(1, new KeyValuePair<string, object?>("outcome", resumed ? "resumed" : "admitted"));

    public void Refused(string reason) =>
        _joins.Add(1, new KeyValuePair<string, object?>("outcome", "refused"), new KeyValuePair<string, object?>("reason", reason));

    public void SignalRelayed() => Interlocked.Increment(ref _signalsTotal);

    public void Kicked() => _kicks.Add(1);

    public void HubCall(string method, bool failed, double seconds) =>
        _hubCalls.Record(seconds, new KeyValuePair<string, object?>("method", method), new KeyValuePair<string, object?>("failed", failed ? True : False));

    // Boxed once: a tag per relayed signal must not allocate.
    private static readonly object True = true, False = false;

    public void Dispose() => _meter.Dispose();
}
