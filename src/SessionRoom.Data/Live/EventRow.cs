using SessionRoom.Core.Live;

namespace SessionRoom.Data.Live;

/// <summary>An event as stored, with its actor's code; shared by every reader of the event log.</summary>
internal sealed class EventRow
{
    /// <summary>The columns, from <c>events e</c> joined to the actor's member row; callers add WHERE and ORDER BY.</summary>
    public const string Select =
        """
        SELECT e.seq AS Seq, e.id AS Id, e.client_event_id AS ClientEventId, e.type AS Type, e.audience AS Audience,
               e.actor_id AS ActorId, m.code AS ActorCode, e.prompt_id AS PromptId, e.participant_id AS ParticipantId,
               e.at_ms AS AtMs, e.created_utc AS CreatedUtc, e.text AS Text, e.data_json AS DataJson, e.restricted AS Restricted
        FROM events e LEFT JOIN members m ON m.id = e.actor_id

        """;

    public long Seq { get; set; }
    public Guid Id { get; set; }
    public Guid ClientEventId { get; set; }
    public string Type { get; set; } = "";
    public string Audience { get; set; } = "";
    public Guid? ActorId { get; set; }
    public string? ActorCode { get; set; }
    public Guid? PromptId { get; set; }
    public Guid? ParticipantId { get; set; }
    public long AtMs { get; set; }
    public DateTimeOffset CreatedUtc { get; set; }
    public string? Text { get; set; }
    public string? DataJson { get; set; }
    public long Restricted { get; set; }

    /// <summary>One tag, for readers that join <c>event_tags</c> and fold one row per tag (the export's stream); null otherwise.</summary>
    public string? Tag { get; set; }

    public SessionEvent ToEvent(Guid sessionId, IReadOnlyList<string> tags) =>
        new(Seq, Id, ClientEventId, Type, Audience, ActorId, ActorCode, PromptId, ParticipantId, AtMs, CreatedUtc, Text, tags, EventJson.Parse(DataJson))
        {
            SessionId = sessionId,
            Restricted = Restricted != 0,
        };
}
