using SessionRoom.Core.Live;

namespace SessionRoom.Web.Hubs;

/// <summary>What the server sends to hub clients (API.md "Server to client").</summary>
public interface ISessionClient
{
    Task Event(SessionEvent sessionEvent);
}
