using SessionRoom.Core.Live;

namespace SessionRoom.Web.Realtime;

/// <summary>
/// The SignalR groups of a session. Each connection is in exactly one: participants in the room
/// group, facilitators and observers in the backroom group (one group per connection keeps its
/// events in seq order, also across a backplane; see docs/architecture.md).
/// </summary>
public static class GroupNames
{
    public static string Room(Guid sessionId) => $"session:{sessionId}:room";

    public static string Backroom(Guid sessionId) => $"session:{sessionId}:backroom";

    public static string For(Guid sessionId, string role) =>
        Audiences.SeesBackroom(role) ? Backroom(sessionId) : Room(sessionId);
}
