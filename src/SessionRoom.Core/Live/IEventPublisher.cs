namespace SessionRoom.Core.Live;

/// <summary>
/// Receives each committed batch of events, in seq order, from the event writer (Data) and fans it
/// out (Web). Must not block: the writer calls it on its own thread between batches.
/// </summary>
public interface IEventPublisher
{
    void Publish(IReadOnlyList<SessionEvent> events);
}
