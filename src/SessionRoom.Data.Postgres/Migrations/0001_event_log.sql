-- SessionRoom on PostgreSQL, version 1: the event log (issue 9, first slice).
-- Mirrors the columns of SQLite's events and event_tags (src/SessionRoom.Data/Migrations 0001, 0003)
-- with PostgreSQL's own types: uuid for ids, timestamptz for times, boolean for flags.

-- Only what seq needs of a session for now; the other columns come with the session store.
-- last_seq is the highest seq ever given in the session. It only grows, so it also does what
-- SQLite's seq_floor (0007) does: numbers of deleted events are never given again.
CREATE TABLE sessions (
    id       uuid   PRIMARY KEY,
    last_seq bigint NOT NULL DEFAULT 0
);

-- The durable, ordered log of everything that happens in a live session (docs/architecture.md).
-- data_json is text, not jsonb: nothing queries inside it, the stored text is handed back exactly as
-- written (jsonb reorders keys and respaces, and the CSV export passes the stored JSON through, so
-- both stores give the same bytes), and the append path pays no JSON parse.
CREATE TABLE events (
    session_id      uuid        NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    seq             bigint      NOT NULL,
    id              uuid        NOT NULL UNIQUE,
    client_event_id uuid        NOT NULL,
    type            text        NOT NULL,
    audience        text        NOT NULL,
    actor_id        uuid,
    prompt_id       uuid,
    participant_id  uuid,
    at_ms           bigint      NOT NULL,
    created_utc     timestamptz NOT NULL,
    text            text,
    data_json       text,
    restricted      boolean     NOT NULL DEFAULT false,
    PRIMARY KEY (session_id, seq),
    UNIQUE (session_id, client_event_id)
);
-- The readers' indexes (SQLite's 0002 and 0007) come with those readers.

CREATE TABLE event_tags (
    session_id uuid   NOT NULL,
    seq        bigint NOT NULL,
    tag        text   NOT NULL,
    PRIMARY KEY (session_id, seq, tag),
    FOREIGN KEY (session_id, seq) REFERENCES events (session_id, seq) ON DELETE CASCADE
);
CREATE INDEX ix_event_tags_tag ON event_tags (session_id, tag);
