using MeshMeet.Web.Audit;

namespace MeshMeet.Web.Presence;

/// <summary>
/// Keeps refused joins from turning the audit log into an amplifier: per room, the first refusal in a window is
/// recorded as it happens; the ones after it are only counted here, and recorded as one <see cref="JoinRefused"/>
/// (with their count, and the name of the last) once the window is over (PresenceSweeper). Per instance, in memory:
/// a crash loses at most one window's count of one room, never a join or a leave.
/// </summary>
public sealed class RefusalTally(TimeSpan window)
{
    private sealed class Window(DateTimeOffset start)
    {
        public DateTimeOffset Start { get; } = start;
        public JoinRefused? Pending { get; set; }
    }

    private readonly Dictionary<Guid, Window> _rooms = new();

    /// <summary>True: append <paramref name="refusal"/> now. False: it was counted into the room's pending summary.</summary>
    public bool ShouldRecord(Guid roomId, JoinRefused refusal)
    {
        lock (_rooms)
        {
            if (_rooms.TryGetValue(roomId, out var w) && (w.Pending is not null || refusal.At - w.Start < window))
            {
                w.Pending = refusal with { Count = (w.Pending?.Count ?? 0) + 1 };
                return false;
            }
            _rooms[roomId] = new Window(refusal.At);
            return true;
        }
    }

    /// <summary>The summaries of windows that are over, taken out (to be appended); quiet windows are forgotten.</summary>
    public IReadOnlyList<(Guid RoomId, JoinRefused Summary)> TakeDue(DateTimeOffset now)
    {
        lock (_rooms)
        {
            var due = _rooms.Where(r => now - r.Value.Start >= window).ToList();
            foreach (var (roomId, _) in due) _rooms.Remove(roomId);
            return due.Where(r => r.Value.Pending is not null).Select(r => (r.Key, r.Value.Pending! with { At = now })).ToList();
        }
    }
}
