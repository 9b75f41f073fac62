namespace MeshMeet.Web.Rooms;

/// <summary>
/// Queues this instance's joins to one room in memory before they queue on the room's row lock in PostgreSQL. The row
/// lock stays the guarantee (it also orders instances); the gate only keeps a burst of joins from holding one pooled
/// connection each while they wait, so 300 people entering 50 rooms need about 50 connections, not 300.
/// </summary>
public sealed class RoomGates
{
    private readonly Dictionary<string, (SemaphoreSlim Gate, int Users)> _gates = new();

    public async Task<T> RunAsync<T>(string roomKey, Func<Task<T>> work)
    {
        SemaphoreSlim gate;
        lock (_gates)
        {
            var entry = _gates.TryGetValue(roomKey, out var found) ? found : (Gate: new SemaphoreSlim(1, 1), Users: 0);
            _gates[roomKey] = (entry.Gate, entry.Users + 1);
            gate = entry.Gate;
        }
        try
        {
            await gate.WaitAsync();
            try { return await work(); }
            finally { gate.Release(); }
        }
        finally
        {
            lock (_gates)
            {
                var entry = _gates[roomKey];
                if (entry.Users == 1) _gates.Remove(roomKey); else _gates[roomKey] = (entry.Gate, entry.Users - 1);
            }
        }
    }
}
