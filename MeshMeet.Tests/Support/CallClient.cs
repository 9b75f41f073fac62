using System.Collections.Concurrent;
using MeshMeet.Web.Signaling;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

namespace MeshMeet.Tests.Support;

/// <summary>A real .NET SignalR client of /hubs/signaling that records every event it receives.</summary>
public sealed class CallClient : IAsyncDisposable
{
    private readonly ConcurrentQueue<(string Name, object Payload)> _received = new();
    private readonly SemaphoreSlim _arrived = new(0);

    public HubConnection Connection { get; }
    public JoinRoomResult? Joined { get; private set; }
    public string SelfId => Joined?.SelfId ?? throw new InvalidOperationException("Not joined.");

    private CallClient(HubConnection connection)
    {
        Connection = connection;
        // Every event of the client interface (each call feature declares its own in its part of it), by its message type.
        foreach (var e in typeof(ISignalingClient).GetMethods())
            Connection.On(e.Name, [e.GetParameters()[0].ParameterType], payload => Record(e.Name, payload[0]!));
    }

    /// <param name="cookie">A Cookie header to send, as the browser that opened the call page would.</param>
    /// <param name="forwardedFor">The client address a proxy on loopback reports (X-Forwarded-For): tests are all 127.0.0.1.</param>
    public static Task<CallClient> ConnectAsync(MeshMeetApp app, string? accessToken = null,
        HttpTransportType transport = HttpTransportType.WebSockets, string? cookie = null, string? forwardedFor = null) =>
        ConnectAsync(app.BaseUrl, accessToken, transport, cookie, forwardedFor);

    /// <param name="baseUrl">Any MeshMeet address; an https one (the tests' nginx) may have a certificate made for the test.</param>
    public static async Task<CallClient> ConnectAsync(string baseUrl, string? accessToken = null,
        HttpTransportType transport = HttpTransportType.WebSockets, string? cookie = null, string? forwardedFor = null)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(baseUrl + SignalingSetup.HubPath, o =>
            {
                o.Transports = transport;
                if (baseUrl.StartsWith("https:"))
                {
                    o.HttpMessageHandlerFactory = handler =>
                    {
                        if (handler is HttpClientHandler http) http.ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator;
                        return handler;
                    };
                    o.WebSocketConfiguration = socket => socket.RemoteCertificateValidationCallback = (_, _, _, _) => true;
                }
                if (accessToken is not null) o.AccessTokenProvider = () => Task.FromResult<string?>(accessToken);
                if (cookie is not null) o.Headers["Cookie"] = cookie;
                if (forwardedFor is not null) o.Headers["X-Forwarded-For"] = forwardedFor;
            })
            .Build();
        var client = new CallClient(connection);
        await connection.StartAsync();
        return client;
    }

    /// <param name="admissionTicket">What the host's Admit gave this client in the room's lobby.</param>
    public async Task<JoinRoomResult> JoinAsync(string roomId, string name = "Guest", string? reconnectToken = null, string? admissionTicket = null)
    {
        var result = await Connection.InvokeAsync<JoinRoomResult>("JoinRoom", new JoinRoomRequest(roomId, name, reconnectToken, admissionTicket));
        if (!result.Waiting) Joined = result;
        return result;
    }

    public Task InvokeAsync(string method, object message) => Connection.InvokeAsync(method, message);

    /// <summary>Returns once everything the server sent this client so far has arrived, instead of waiting a while for
    /// what should not come. A call's answer travels on the same connection, after whatever was sent to it before: this
    /// one (an empty signal) is refused at once, by anyone, with nothing sent to anyone else.</summary>
    public async Task BarrierAsync()
    {
        try
        {
            await InvokeAsync("Signal", new SignalRequest(null, null, null));
        }
        catch (Microsoft.AspNetCore.SignalR.HubException)
        {
            // The refusal is the answer waited for.
        }
    }

    /// <summary>The server's HubException text, without the client's "An unexpected error occurred invoking" wrapper.</summary>
    public static string Reason(Exception e)
    {
        const string marker = "HubException: ";
        var at = e.Message.IndexOf(marker, StringComparison.Ordinal);
        return at >= 0 ? e.Message[(at + marker.Length)..] : e.Message;
    }

    /// <summary>Waits for the first recorded event of that name (and shape) that matches.</summary>
    public async Task<T> WaitForAsync<T>(string name, Func<T, bool>? match = null, int timeoutMs = 5000)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (true)
        {
            var hit = Events<T>(name).FirstOrDefault(e => match?.Invoke(e) ?? true);
            if (hit is not null) return hit;
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) throw new TimeoutException($"No {name} event within {timeoutMs} ms. Received: {Describe()}");
            await _arrived.WaitAsync(left < TimeSpan.FromMilliseconds(200) ? left : TimeSpan.FromMilliseconds(200));
        }
    }

    public IEnumerable<T> Events<T>(string name) =>
        _received.Where(e => e.Name == name).Select(e => e.Payload).OfType<T>();

    /// <summary>Everything received so far, in arrival order.</summary>
    public IReadOnlyList<(string Name, object Payload)> Received => _received.ToArray();

    public int Count(string? name = null) => _received.Count(e => name is null || e.Name == name);

    public string Describe() => string.Join("; ", _received.Select(e => $"{e.Name} {e.Payload}"));

    private Task Record(string name, object payload)
    {
        _received.Enqueue((name, payload));
        _arrived.Release();
        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync() => await Connection.DisposeAsync();
}
