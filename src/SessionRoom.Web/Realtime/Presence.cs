using System.Collections.Concurrent;
using SessionRoom.Core.Live;

namespace SessionRoom.Web.Realtime;

/// <summary>
/// Who is online on this server: the live connections of each member, hub connections and Blazor
/// circuits alike. Tells when a member's first connection opens and its last one closes (for
/// member-joined / member-left), and can cut a member off (when their invite is revoked).
/// </summary>
public sealed class Presence
{
    private readonly ConcurrentDictionary<Guid, Entry> _members = new();

    /// <summary>Registers a connection; true when it is the member's first.</summary>
    /// <param name="abort">Closes this connection; called when the member is cut off.</param>
    public bool Connected(Caller caller, string connectionId, Action abort)
    {
        while (true)
        {
            var entry = _members.GetOrAdd(caller.MemberId, _ => new Entry(caller));
            lock (entry)
            {
                // A last disconnect may have just removed this entry: start again with a fresh one.
                if (!_members.TryGetValue(caller.MemberId, out var current) || !ReferenceEquals(current, entry))
                {
                    continue;
                }
                entry.Connections[connectionId] = abort;
                return entry.Connections.Count == 1;
            }
        }
    }

    /// <summary>Removes a connection; true when it was the member's last.</summary>
    public bool Disconnected(Caller caller, string connectionId)
    {
        if (!_members.TryGetValue(caller.MemberId, out var entry))
        {
            return false;
        }
        lock (entry)
        {
            if (!entry.Connections.Remove(connectionId))
            {
                return false;
            }
            if (entry.Connections.Count > 0)
            {
                return false;
            }
            _members.TryRemove(caller.MemberId, out _);
            return true;
        }
    }

    public IReadOnlyList<OnlineMember> Online(Guid sessionId) =>
        _members.Values
            .Where(e => e.Caller.SessionId == sessionId)
            .Select(e => new OnlineMember(e.Caller.MemberId, e.Caller.Role, e.Caller.Code, e.Caller.DisplayName))
            .OrderBy(m => m.Role, StringComparer.Ordinal)
            .ThenBy(m => m.Code, StringComparer.Ordinal)
            .ToList();

    /// <summary>Every member with a connection on this server.</summary>
    public IReadOnlyList<Caller> Members() => _members.Values.Select(e => e.Caller).ToList();

    /// <summary>The connection ids of the session's members that match <paramref name="which"/>.</summary>
    public IReadOnlyList<string> ConnectionIds(Guid sessionId, Func<Caller, bool> which)
    {
        var ids = new List<string>();
        foreach (var entry in _members.Values.Where(e => e.Caller.SessionId == sessionId && which(e.Caller)))
        {
            lock (entry)
            {
                ids.AddRange(entry.Connections.Keys);
            }
        }
        return ids;
    }

    /// <summary>Closes every connection of the member.</summary>
    public void Disconnect(Guid memberId)
    {
        if (!_members.TryGetValue(memberId, out var entry))
        {
            return;
        }
        List<Action> aborts;
        lock (entry)
        {
            aborts = entry.Connections.Values.ToList();
        }
        foreach (var abort in aborts)
        {
            abort();
        }
    }

    private sealed class Entry(Caller caller)
    {
        public Caller Caller { get; } = caller;

        public Dictionary<string, Action> Connections { get; } = new(StringComparer.Ordinal);
    }
}
