using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

namespace SessionRoom.LoadGen;

/// <summary>What the generator reads of a pushed event: enough to match it to its send and check order.</summary>
internal sealed record Delivered(long Seq, Guid ClientEventId, string? Type);

/// <summary>The reply to a write (SessionRoom's <c>{seq, duplicate}</c>; the baselines answer the same shape).</summary>
internal sealed record AckReply(long Seq, bool Duplicate);

internal enum WriteKind
{
    /// <summary>An observer's backroom note (SessionRoom <c>AddNote</c>).</summary>
    Note,

    /// <summary>The facilitator shows a prompt to the room (SessionRoom <c>ShowPrompt</c>).</summary>
    Prompt,

    /// <summary>A participant's reaction, a room event (SessionRoom <c>React</c>).</summary>
    Reaction,
}

internal static class Roles
{
    public const string Facilitator = "facilitator";
    public const string Observer = "observer";
    public const string Participant = "participant";

    /// <summary>Who receives an event of <paramref name="kind"/>: backroom events reach facilitator and observers, room events everyone.</summary>
    public static bool Receives(string role, WriteKind kind) => kind != WriteKind.Note || role != Participant;
}

/// <summary>One connection of the generator. Pushed events go to <see cref="OnEvent"/> on the connection's receive loop.</summary>
internal abstract class LoadClient(string role) : IAsyncDisposable
{
    public string Role { get; } = role;

    /// <summary>Set by the ledger of the scenario being measured.</summary>
    public Action<LoadClient, Delivered>? OnEvent { get; set; }

    /// <summary>The ledger's per-connection state (events seen, last seq).</summary>
    public object? Tally { get; set; }

    public abstract Task ConnectAsync(CancellationToken cancellationToken);

    /// <param name="prompt">For <see cref="WriteKind.Prompt"/>: which prompt of the room to show.</param>
    public abstract Task<AckReply> WriteAsync(WriteKind kind, Guid clientEventId, string text, int prompt);

    public abstract ValueTask DisposeAsync();

    protected void Receive(Delivered e) => OnEvent?.Invoke(this, e);
}

/// <summary>A SignalR client over WebSockets (SkipNegotiation), for SessionRoom's hub and the bare hub.</summary>
internal abstract class SignalRClient : LoadClient
{
    protected SignalRClient(string role, string url, string? accessToken) : base(role)
    {
        Connection = new HubConnectionBuilder()
            .WithUrl(url, o =>
            {
                if (accessToken is not null)
                {
                    o.AccessTokenProvider = () => Task.FromResult<string?>(accessToken);
                }
                o.Transports = HttpTransportType.WebSockets;
                o.SkipNegotiation = true;
            })
            .Build();
        Connection.On<Delivered>("Event", Receive);
    }

    protected HubConnection Connection { get; }

    public override Task ConnectAsync(CancellationToken cancellationToken) => Connection.StartAsync(cancellationToken);

    public override ValueTask DisposeAsync() => Connection.DisposeAsync();
}

/// <summary>A member of a SessionRoom session on <c>/hubs/session</c>, calling the hub's own methods.</summary>
internal sealed class SessionRoomClient(string role, string baseUrl, string accessToken, IReadOnlyList<Guid> promptIds)
    : SignalRClient(role, $"{baseUrl}/hubs/session", accessToken)
{
    private static readonly string[] NoteTags = ["confused"];

    public Task StartSessionAsync() => Connection.InvokeAsync<AckReply>("StartSession", Guid.NewGuid());

    public override Task<AckReply> WriteAsync(WriteKind kind, Guid clientEventId, string text, int prompt) => kind switch
    {
        WriteKind.Note => Connection.InvokeAsync<AckReply>("AddNote", clientEventId, text, NoteTags, (Guid?)null),
        WriteKind.Prompt => Connection.InvokeAsync<AckReply>("ShowPrompt", clientEventId, promptIds[prompt % promptIds.Count]),
        _ => Connection.InvokeAsync<AckReply>("React", clientEventId, "delight"),
    };
}

/// <summary>The payload a baseline is sent: SessionRoom's write calls reduced to what is relayed.</summary>
internal sealed record RelayMessage(Guid ClientEventId, string Type, string Audience, string? Text, string[] Tags)
{
    private static readonly string[] NoteTags = ["confused"];
    private static readonly string[] ReactionTags = ["delight"];

    public static RelayMessage For(WriteKind kind, Guid clientEventId, string text, string promptText) => kind switch
    {
        WriteKind.Note => new(clientEventId, "note", "backroom", text, NoteTags),
        WriteKind.Prompt => new(clientEventId, "prompt-shown", "room", promptText, []),
        _ => new(clientEventId, "reaction", "room", null, ReactionTags),
    };
}

/// <summary>A client of bench/BareHub: one <c>Send</c> method for every kind of write.</summary>
internal sealed class BareHubClient(string role, string baseUrl, string promptText)
    : SignalRClient(role, $"{baseUrl}/hub?role={role}", accessToken: null)
{
    public override Task<AckReply> WriteAsync(WriteKind kind, Guid clientEventId, string text, int prompt) =>
        Connection.InvokeAsync<AckReply>("Send", RelayMessage.For(kind, clientEventId, text, promptText));
}

/// <summary>
/// A Socket.IO 4 client (Engine.IO protocol 4 over a WebSocket, Socket.IO protocol 5), written here on
/// the same ClientWebSocket and System.Text.Json as SignalR's .NET client, so all three servers are driven
/// by one generator at the same client-side cost (docs/benchmarks.md says why not the NuGet client).
/// Packets: "0{...}" open, "40" connect, "2"/"3" ping/pong, "42[name,data]" event, "42id[...]" event with
/// ack, "43id[...]" ack.
/// </summary>
internal sealed class SocketIoClient(string role, string baseUrl, string promptText) : LoadClient(role)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly byte[] Pong = "3"u8.ToArray();
    private static readonly byte[] Connect = "40"u8.ToArray();

    private readonly ClientWebSocket _socket = new();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly ConcurrentDictionary<int, TaskCompletionSource<AckReply>> _acks = new();
    private readonly CancellationTokenSource _stop = new();
    private byte[] _buffer = new byte[16 * 1024];
    private int _nextAck;
    private Task? _receiveLoop;

    public override async Task ConnectAsync(CancellationToken cancellationToken)
    {
        var uri = new Uri($"{baseUrl.Replace("http://", "ws://", StringComparison.Ordinal)}/socket.io/?EIO=4&transport=websocket&role={Role}");
        await _socket.ConnectAsync(uri, cancellationToken);
        var open = await ReceiveMessageAsync(cancellationToken);
        if (open < 1 || _buffer[0] != (byte)'0')
        {
            throw new InvalidOperationException("Socket.IO: no open packet.");
        }
        await SendAsync(Connect, cancellationToken);
        while (true)
        {
            var length = await ReceiveMessageAsync(cancellationToken);
            if (length >= 2 && _buffer[0] == (byte)'4' && _buffer[1] == (byte)'0')
            {
                break;
            }
            if (length >= 2 && _buffer[0] == (byte)'4' && _buffer[1] == (byte)'4')
            {
                throw new InvalidOperationException("Socket.IO: connection refused: " + Encoding.UTF8.GetString(_buffer, 0, length));
            }
        }
        _receiveLoop = Task.Run(ReceiveLoopAsync, CancellationToken.None);
    }

    public override async Task<AckReply> WriteAsync(WriteKind kind, Guid clientEventId, string text, int prompt)
    {
        var id = Interlocked.Increment(ref _nextAck);
        var done = new TaskCompletionSource<AckReply>(TaskCreationOptions.RunContinuationsAsynchronously);
        _acks[id] = done;
        var body = JsonSerializer.SerializeToUtf8Bytes(new object[] { "send", RelayMessage.For(kind, clientEventId, text, promptText) }, Json);
        var packet = new byte[2 + 11 + body.Length];
        packet[0] = (byte)'4';
        packet[1] = (byte)'2';
        Utf8Formatter.TryFormat(id, packet.AsSpan(2), out var digits);
        body.CopyTo(packet.AsSpan(2 + digits));
        try
        {
            await SendAsync(packet.AsMemory(0, 2 + digits + body.Length), CancellationToken.None);
        }
        catch
        {
            _acks.TryRemove(id, out _);
            throw;
        }
        return await done.Task;
    }

    private async Task SendAsync(ReadOnlyMemory<byte> packet, CancellationToken cancellationToken)
    {
        // A WebSocket takes one send at a time.
        await _sendLock.WaitAsync(cancellationToken);
        try
        {
            await _socket.SendAsync(packet, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Reads one whole message into <see cref="_buffer"/>; its length, or -1 when the socket closed.</summary>
    private async Task<int> ReceiveMessageAsync(CancellationToken cancellationToken)
    {
        var length = 0;
        while (true)
        {
            if (length == _buffer.Length)
            {
                Array.Resize(ref _buffer, _buffer.Length * 2);
            }
            var result = await _socket.ReceiveAsync(_buffer.AsMemory(length), cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return -1;
            }
            length += result.Count;
            if (result.EndOfMessage)
            {
                return length;
            }
        }
    }

    private async Task ReceiveLoopAsync()
    {
        try
        {
            while (true)
            {
                var length = await ReceiveMessageAsync(_stop.Token);
                if (length < 0)
                {
                    break;
                }
                Handle(_buffer.AsSpan(0, length));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
            // Closed.
        }
        foreach (var pending in _acks.Values)
        {
            pending.TrySetException(new InvalidOperationException("Socket.IO connection closed."));
        }
    }

    private void Handle(ReadOnlySpan<byte> packet)
    {
        if (packet.Length == 1 && packet[0] == (byte)'2')
        {
            _ = SendAsync(Pong, CancellationToken.None);
            return;
        }
        if (packet.Length < 3 || packet[0] != (byte)'4')
        {
            return;
        }
        var type = packet[1];
        var rest = packet[2..];
        if (type == (byte)'2')
        {
            // 42["event",{...}]
            var reader = new Utf8JsonReader(rest);
            reader.Read(); // [
            reader.Read(); // "event"
            if (!reader.ValueTextEquals("event"u8))
            {
                return;
            }
            reader.Read(); // {
            var e = JsonSerializer.Deserialize<Delivered>(ref reader, Json);
            if (e is not null)
            {
                Receive(e);
            }
        }
        else if (type == (byte)'3')
        {
            // 43<id>[{seq, duplicate}]
            if (!Utf8Parser.TryParse(rest, out int id, out var digits))
            {
                return;
            }
            var reader = new Utf8JsonReader(rest[digits..]);
            reader.Read(); // [
            reader.Read(); // {
            var ack = JsonSerializer.Deserialize<AckReply>(ref reader, Json);
            if (_acks.TryRemove(id, out var pending))
            {
                pending.TrySetResult(ack!);
            }
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_socket.State == WebSocketState.Open)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or WebSocketException)
            {
                // Closing anyway.
            }
        }
        _socket.Abort();
        if (_receiveLoop is not null)
        {
            await _receiveLoop;
        }
        _socket.Dispose();
        _sendLock.Dispose();
        _stop.Dispose();
    }
}

/// <summary>
/// A connection that stops reading: it opens the WebSocket with a 4 KB receive buffer, says the
/// protocol's hello, and never reads again; it keeps sending the protocol's keep-alive so the server
/// does not drop it for silence (the worst case: a stuck reader, not a dead one).
/// </summary>
internal sealed class SlowClient(Uri uri, string hello, string keepAlive) : IAsyncDisposable
{
    private readonly ClientWebSocket _socket = new();
    private readonly CancellationTokenSource _stop = new();
    private SocketsHttpHandler? _handler;
    private HttpMessageInvoker? _invoker;
    private Task? _keepAlive;

    /// <summary>SignalR JSON protocol: the handshake, then a ping message (type 6) now and then.</summary>
    public static SlowClient SignalR(string wsUrl) => new(new Uri(wsUrl), "{\"protocol\":\"json\",\"version\":1}\u001e", "{\"type\":6}\u001e");

    /// <summary>Socket.IO: connect to the main namespace, then a pong now and then (the server's pings are never read).</summary>
    public static SlowClient SocketIo(string wsUrl) => new(new Uri(wsUrl), "40", "3");

    public async Task ConnectAsync(CancellationToken cancellationToken)
    {
        _handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, token) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, ReceiveBufferSize = 4096 };
                try
                {
                    await socket.ConnectAsync(context.DnsEndPoint, token);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        _invoker = new HttpMessageInvoker(_handler);
        _socket.Options.KeepAliveInterval = TimeSpan.Zero;
        await _socket.ConnectAsync(uri, _invoker, cancellationToken);
        await _socket.SendAsync(Encoding.UTF8.GetBytes(hello), WebSocketMessageType.Text, true, cancellationToken);
        _keepAlive = Task.Run(KeepAliveAsync, CancellationToken.None);
    }

    private async Task KeepAliveAsync()
    {
        var bytes = Encoding.UTF8.GetBytes(keepAlive);
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(5));
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                await _socket.SendAsync(bytes, WebSocketMessageType.Text, true, _stop.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
            // Closed.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _socket.Abort();
        if (_keepAlive is not null)
        {
            await _keepAlive;
        }
        _socket.Dispose();
        _invoker?.Dispose();
        _handler?.Dispose();
        _stop.Dispose();
    }
}

internal static class Buffers
{
    /// <summary>Text of the given length, for notes and prompts.</summary>
    public static string Text(int length, string seed)
    {
        var builder = new StringBuilder(length);
        while (builder.Length < length)
        {
            builder.Append(seed).Append(' ');
        }
        return builder.ToString(0, length).Trim();
    }
}
