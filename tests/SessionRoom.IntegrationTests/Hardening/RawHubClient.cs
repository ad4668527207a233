using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace SessionRoom.IntegrationTests.Hardening;

/// <summary>What became of one invocation sent by <see cref="RawHubClient"/>.</summary>
public enum CallOutcome
{
    /// <summary>A completion with a result (or none, for a void method).</summary>
    Result,

    /// <summary>A completion with an error: the server refused the call and said why.</summary>
    Error,

    /// <summary>The connection closed before the completion came.</summary>
    Closed,

    /// <summary>No completion within the time allowed, the connection still open.</summary>
    Timeout,
}

/// <summary>The answer to one invocation.</summary>
public sealed record CallResult(CallOutcome Outcome, JsonElement? Result, string? Error)
{
    public override string ToString() => Outcome switch
    {
        CallOutcome.Result => "result " + (Result?.GetRawText() is { } raw ? Shorten(raw) : "(none)"),
        CallOutcome.Error => "error \"" + Error + "\"",
        _ => Outcome.ToString().ToLowerInvariant() + (Error is null ? "" : " (" + Error + ")"),
    };

    private static string Shorten(string text) => text.Length <= 200 ? text : text[..200] + "...";
}

/// <summary>
/// A SignalR client that speaks the JSON hub protocol over a raw WebSocket, so it can send what the typed .NET
/// client cannot: arguments of the wrong type or number, nulls, lone surrogates, deeply nested values, and frames
/// that are not valid protocol messages at all. It records every completion, every pushed event and how the
/// connection ended (the close message's error, if the server sent one).
/// </summary>
public sealed class RawHubClient : IAsyncDisposable
{
    private const byte RecordSeparator = 0x1e;

    private readonly ClientWebSocket _socket = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource<CallResult>> _pending = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource<string?> _handshake = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _sendGate = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private Task _receiveLoop = Task.CompletedTask;
    private Task _keepAlive = Task.CompletedTask;
    private int _nextId;
    private int _events;

    private RawHubClient()
    {
    }

    /// <summary>True once the socket has closed or failed.</summary>
    public bool IsClosed => _closed.Task.IsCompleted;

    /// <summary>The error of the server's close message, or how the socket ended.</summary>
    public string? CloseReason { get; private set; }

    /// <summary>How many <c>Event</c> invocations the server pushed.</summary>
    public int EventsReceived => Volatile.Read(ref _events);

    /// <summary>Opens a WebSocket to <c>/hubs/session</c> with <paramref name="accessToken"/> and completes the JSON protocol handshake.</summary>
    public static async Task<RawHubClient> ConnectAsync(string baseUrl, string accessToken)
    {
        var client = new RawHubClient();
        var uri = new Uri(baseUrl.Replace("http://", "ws://", StringComparison.Ordinal) + "/hubs/session?access_token=" + Uri.EscapeDataString(accessToken));
        using (var connect = new CancellationTokenSource(TimeSpan.FromSeconds(15)))
        {
            await client._socket.ConnectAsync(uri, connect.Token);
        }
        client._receiveLoop = Task.Run(client.ReceiveLoopAsync);
        await client.SendFrameAsync(Encoding.UTF8.GetBytes("{\"protocol\":\"json\",\"version\":1}\u001e"), WebSocketMessageType.Text);
        var handshake = await client._handshake.Task.WaitAsync(TimeSpan.FromSeconds(15));
        if (handshake is not null)
        {
            await client.DisposeAsync();
            throw new InvalidOperationException("The hub refused the handshake: " + handshake);
        }
        client._keepAlive = Task.Run(client.KeepAliveAsync);
        return client;
    }

    /// <summary>
    /// Invokes <paramref name="target"/> with arguments given as raw JSON texts (each one element of the
    /// <c>arguments</c> array, sent exactly as written), and waits for its completion.
    /// </summary>
    public Task<CallResult> InvokeAsync(string target, IReadOnlyList<string> argumentsJson, TimeSpan? timeout = null) =>
        InvokeRawAsync(JsonText.Quote(target), "[" + string.Join(",", argumentsJson) + "]", timeout);

    /// <summary>Invokes with the target and the arguments array as raw JSON texts.</summary>
    public async Task<CallResult> InvokeRawAsync(string targetJson, string argumentsArrayJson, TimeSpan? timeout = null)
    {
        var id = Interlocked.Increment(ref _nextId).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var completion = new TaskCompletionSource<CallResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = completion;
        // The target before the arguments, as the .NET client writes it, so the server binds the arguments as it reads them.
        var message = $"{{\"type\":1,\"invocationId\":\"{id}\",\"target\":{targetJson},\"arguments\":{argumentsArrayJson}}}\u001e";
        try
        {
            await SendFrameAsync(Encoding.UTF8.GetBytes(message), WebSocketMessageType.Text);
        }
        catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            _pending.TryRemove(id, out _);
            return new CallResult(CallOutcome.Closed, null, CloseReason ?? e.Message);
        }
        var closed = _closed.Task;
        var timer = Task.Delay(timeout ?? TimeSpan.FromSeconds(15));
        var first = await Task.WhenAny(completion.Task, closed, timer);
        _pending.TryRemove(id, out _);
        if (completion.Task.IsCompleted)
        {
            return await completion.Task;
        }
        return first == closed
            ? new CallResult(CallOutcome.Closed, null, CloseReason)
            : new CallResult(CallOutcome.Timeout, null, null);
    }

    /// <summary>Sends bytes as one WebSocket message, as they are (no record separator added).</summary>
    public async Task<bool> SendRawAsync(byte[] bytes, WebSocketMessageType type = WebSocketMessageType.Text)
    {
        try
        {
            await SendFrameAsync(bytes, type);
            return true;
        }
        catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>Waits up to <paramref name="timeout"/> for the connection to close; true if it did.</summary>
    public async Task<bool> WaitForCloseAsync(TimeSpan timeout) =>
        await Task.WhenAny(_closed.Task, Task.Delay(timeout)) == _closed.Task;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_socket.State == WebSocketState.Open)
        {
            try
            {
                using var close = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "done", close.Token);
                await Task.WhenAny(_closed.Task, Task.Delay(TimeSpan.FromSeconds(5)));
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
            {
                // Already going.
            }
        }
        _socket.Abort();
        await Task.WhenAll(_receiveLoop, _keepAlive).WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { }, TaskScheduler.Default);
        _socket.Dispose();
        _sendGate.Dispose();
        _stop.Dispose();
    }

    private async Task SendFrameAsync(byte[] bytes, WebSocketMessageType type)
    {
        await _sendGate.WaitAsync();
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await _socket.SendAsync(bytes, type, endOfMessage: true, timeout.Token);
        }
        finally
        {
            _sendGate.Release();
        }
    }

    /// <summary>The server closes a connection it has not heard from in 30 s; a ping every 5 s keeps a slow run's connections open.</summary>
    private async Task KeepAliveAsync()
    {
        var ping = Encoding.UTF8.GetBytes("{\"type\":6}\u001e");
        try
        {
            while (!_stop.IsCancellationRequested && !IsClosed)
            {
                await Task.Delay(TimeSpan.FromSeconds(5), _stop.Token);
                await SendFrameAsync(ping, WebSocketMessageType.Text);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or ObjectDisposedException or InvalidOperationException)
        {
            // Closed or disposed.
        }
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[64 * 1024];
        var pending = new MemoryStream();
        try
        {
            while (true)
            {
                var received = await _socket.ReceiveAsync(buffer, CancellationToken.None);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    CloseReason ??= $"socket closed ({received.CloseStatus} {received.CloseStatusDescription})";
                    break;
                }
                pending.Write(buffer, 0, received.Count);
                var bytes = pending.GetBuffer();
                var length = (int)pending.Length;
                var start = 0;
                for (var i = 0; i < length; i++)
                {
                    if (bytes[i] == RecordSeparator)
                    {
                        Handle(bytes.AsSpan(start, i - start));
                        start = i + 1;
                    }
                }
                if (start > 0)
                {
                    var rest = bytes.AsSpan(start, length - start).ToArray();
                    pending.SetLength(0);
                    pending.Write(rest);
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException or OperationCanceledException or JsonException)
        {
            CloseReason ??= "socket ended: " + e.Message;
        }
        finally
        {
            _handshake.TrySetResult("the connection closed during the handshake: " + CloseReason);
            _closed.TrySetResult();
            foreach (var (_, waiting) in _pending)
            {
                waiting.TrySetResult(new CallResult(CallOutcome.Closed, null, CloseReason));
            }
        }
    }

    private void Handle(ReadOnlySpan<byte> record)
    {
        using var doc = JsonDocument.Parse(record.ToArray());
        var root = doc.RootElement;
        if (!_handshake.Task.IsCompleted)
        {
            _handshake.TrySetResult(root.TryGetProperty("error", out var refused) ? refused.GetString() ?? "refused" : null);
            return;
        }
        if (!root.TryGetProperty("type", out var typeElement))
        {
            return;
        }
        switch (typeElement.GetInt32())
        {
            case 1 when root.TryGetProperty("target", out var target) && target.GetString() == "Event":
                Interlocked.Increment(ref _events);
                break;
            case 3:
                var id = root.GetProperty("invocationId").GetString()!;
                var result = root.TryGetProperty("error", out var error)
                    ? new CallResult(CallOutcome.Error, null, error.GetString())
                    : new CallResult(CallOutcome.Result, root.TryGetProperty("result", out var value) ? value.Clone() : null, null);
                if (_pending.TryGetValue(id, out var waiting))
                {
                    waiting.TrySetResult(result);
                }
                break;
            case 7:
                CloseReason = root.TryGetProperty("error", out var closeError) ? closeError.GetString() : "closed by the server without an error";
                break;
        }
    }
}
