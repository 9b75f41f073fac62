using JasperFx.Events;

namespace MeshMeet.Tests.Audit;

public sealed class AuditCatalogueTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 6, 10, 0, 0, TimeSpan.Zero);

    /// <summary>One of each kind, in an order a room could live them.</summary>
    private static readonly IRoomEvent[] OneOfEach =
    [
        new RoomCreated("r1", "Retro", 6, "u1", "ann", T0),
        new ParticipantJoined("r1", "p1", "Bo", false, "p1", T0),
        new RoomLocked("r1", "u1", "ann", T0),
        new RoomUnlocked("r1", "u1", "ann", T0),
        new JoinRefused("r1", "Cy", "full", "guest", T0, Count: 3),
        new CohostGranted("r1", "p1", "Bo", "u1", "ann", T0),
        new CohostRevoked("r1", "p1", "Bo", "u1", "ann", T0),
        new GuestAdmitted("r1", "k1", "Cy", "u1", "ann", T0),
        new GuestDenied("r1", "k2", "Ed", "The host didn't let you in.", "u1", "ann", T0),
        new ParticipantMutedByHost("r1", "p1", "Bo", "audio", true, "u1", "ann", T0),
        new ParticipantAllowedToSpeak("r1", "p1", "Bo", "u1", "ann", T0),
        new RecordingStarted("r1", "p1", "Bo", "p1", "Bo", T0),
        new RecordingStopped("r1", "p1", "Bo", "u1", "ann", T0),
        new ParticipantKicked("r1", "p1", "Bo", "u1", "ann", T0),
        new ParticipantLeft("r1", "p2", "Di", "left", "p2", T0),
        new RoomEnded("r1", "u1", "ann", 2, T0),
        new RoomDeleted("r1", "Retro", "u1", "ann", T0),
    ];

    [Fact]
    public void Every_audit_event_type_of_the_app_is_in_the_catalogue_once()
    {
        var types = typeof(IRoomEvent).Assembly.GetTypes().Where(t => t.IsClass && typeof(IRoomEvent).IsAssignableFrom(t)).OrderBy(t => t.Name);
        Assert.Equal(types.Select(t => t.Name), AuditCatalogue.Kinds.Select(k => k.Name).Order());
        Assert.Equal(OneOfEach.Select(e => e.GetType().Name).Order(), AuditCatalogue.Kinds.Select(k => k.Name).Order());
    }

    [Fact]
    public void Every_kind_reads_as_a_row_that_names_the_event_and_who_did_it()
    {
        foreach (var x in OneOfEach)
        {
            var row = AuditCatalogue.Entry(Stored(x), "Retro")!;
            Assert.Equal((x.GetType().Name, "r1", "Retro"), (row.Event, row.RoomId, row.RoomName));
            Assert.Contains(x.ActorId, row.Actor);
        }
        Assert.Equal("full (3 refused, the last as shown)", AuditCatalogue.Entry(Stored(OneOfEach[4]), "Retro")!.Details);
        Assert.Null(AuditCatalogue.Entry(Stored(new object()), "Retro"));
    }

    [Fact]
    public void The_summary_follows_the_catalogue_from_creation_and_ignores_events_before_it()
    {
        Assert.Null(AuditCatalogue.Summarise(null, OneOfEach[1]));
        var summary = OneOfEach.Aggregate((RoomSummary?)null, AuditCatalogue.Summarise)!;
        Assert.Equal((1, 1, 3, true, 0), (summary.TotalJoins, summary.Kicks, summary.Refusals, summary.Deleted, summary.Present));
    }

    [Fact]
    public void Filter_kinds_are_the_catalogues_names_in_any_case()
    {
        Assert.Equal(AuditCatalogue.Kinds.Select(k => k.Name), AuditFilter.Kinds);
        Assert.Equal("RoomLocked", AuditFilter.Parse(null, null, "roomlocked", null, null, null).Kind);
        Assert.Null(AuditFilter.Parse(null, null, "RoomRenamed", null, null, null).Kind);
    }

    private static IEvent Stored(object data) => new Event<object>(data) { Sequence = 7 };
}
