-- Lookups the live engine makes per write: is a task running for this participant (last
-- task event of that prompt and participant), and catch-up reads of one audience.
CREATE INDEX ix_events_task ON events (session_id, prompt_id, participant_id, seq);
CREATE INDEX ix_events_audience ON events (session_id, audience, seq);
