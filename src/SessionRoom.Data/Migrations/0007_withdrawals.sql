-- Consent withdrawals: a participant's data deleted from a session. The record keeps the
-- pseudonym and how much was deleted, never the person's name.
CREATE TABLE withdrawals (
    id             TEXT PRIMARY KEY,
    session_id     TEXT    NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    member_code    TEXT    NOT NULL,
    events_deleted INTEGER NOT NULL,
    created_utc    TEXT    NOT NULL
);
CREATE INDEX ix_withdrawals_session ON withdrawals (session_id, created_utc);

ALTER TABLE members ADD COLUMN withdrawn_utc TEXT;

-- The highest seq ever given in the session: deleted events leave gaps, and their numbers are never given again.
ALTER TABLE sessions ADD COLUMN seq_floor INTEGER NOT NULL DEFAULT 0;

-- Finding a participant's events (by them or about them) without a scan.
CREATE INDEX ix_events_actor ON events (session_id, actor_id);
CREATE INDEX ix_events_participant ON events (session_id, participant_id);
