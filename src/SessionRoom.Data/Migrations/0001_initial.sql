-- SessionRoom schema, version 1. Ids are GUID text, times ISO-8601 UTC text.
-- Kept to portable SQL (apart from FTS5) so a PostgreSQL store can follow.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE studies (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    goal        TEXT,
    created_utc TEXT NOT NULL
);

CREATE TABLE codebook_tags (
    study_id TEXT    NOT NULL REFERENCES studies (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    name     TEXT    NOT NULL,
    color    TEXT    NOT NULL,
    hotkey   INTEGER,
    PRIMARY KEY (study_id, name)
);

CREATE TABLE sessions (
    id                TEXT PRIMARY KEY,
    study_id          TEXT NOT NULL REFERENCES studies (id) ON DELETE CASCADE,
    title             TEXT NOT NULL,
    mode              TEXT NOT NULL,
    status            TEXT NOT NULL DEFAULT 'draft',
    current_prompt_id TEXT,
    started_utc       TEXT,
    ended_utc         TEXT,
    created_utc       TEXT NOT NULL
);
CREATE INDEX ix_sessions_study ON sessions (study_id, created_utc);

CREATE TABLE session_tags (
    session_id TEXT    NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    name       TEXT    NOT NULL,
    PRIMARY KEY (session_id, name)
);

CREATE TABLE prompts (
    id               TEXT PRIMARY KEY,
    session_id       TEXT    NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    position         INTEGER NOT NULL,
    kind             TEXT    NOT NULL,
    text             TEXT    NOT NULL,
    options_json     TEXT,
    multiple         INTEGER,
    scale_max        INTEGER,
    success_criteria TEXT,
    url              TEXT
);
CREATE INDEX ix_prompts_session ON prompts (session_id, position);

CREATE TABLE invites (
    id          TEXT PRIMARY KEY,
    session_id  TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    role        TEXT NOT NULL,
    name        TEXT,
    token_hash  TEXT NOT NULL UNIQUE,
    created_utc TEXT NOT NULL,
    revoked_utc TEXT
);
CREATE INDEX ix_invites_session ON invites (session_id, created_utc);

-- One member per person per session. An invite admits exactly one member;
-- joining again with the same invite resumes that member.
CREATE TABLE members (
    id           TEXT PRIMARY KEY,
    session_id   TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    role         TEXT NOT NULL,
    display_name TEXT NOT NULL,
    code         TEXT NOT NULL,
    invite_id    TEXT UNIQUE REFERENCES invites (id) ON DELETE CASCADE,
    created_utc  TEXT NOT NULL,
    revoked_utc  TEXT,
    UNIQUE (session_id, code)
);

-- Access tokens (hashed). A member may hold several: one per device it joined from.
CREATE TABLE member_tokens (
    token_hash  TEXT PRIMARY KEY,
    member_id   TEXT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    created_utc TEXT NOT NULL
);
CREATE INDEX ix_member_tokens_member ON member_tokens (member_id);

-- The durable, ordered log of everything that happens in a live session (ARCHITECTURE.md).
CREATE TABLE events (
    session_id      TEXT    NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    seq             INTEGER NOT NULL,
    id              TEXT    NOT NULL UNIQUE,
    client_event_id TEXT    NOT NULL,
    type            TEXT    NOT NULL,
    audience        TEXT    NOT NULL,
    actor_id        TEXT,
    prompt_id       TEXT,
    participant_id  TEXT,
    at_ms           INTEGER NOT NULL,
    created_utc     TEXT    NOT NULL,
    text            TEXT,
    data_json       TEXT,
    PRIMARY KEY (session_id, seq),
    UNIQUE (session_id, client_event_id)
);

CREATE TABLE event_tags (
    session_id TEXT    NOT NULL,
    seq        INTEGER NOT NULL,
    tag        TEXT    NOT NULL,
    PRIMARY KEY (session_id, seq, tag),
    FOREIGN KEY (session_id, seq) REFERENCES events (session_id, seq) ON DELETE CASCADE
);
CREATE INDEX ix_event_tags_tag ON event_tags (session_id, tag);

-- Full-text search over note and message text (SQLite FTS5; a PostgreSQL store uses tsvector).
CREATE VIRTUAL TABLE event_text USING fts5 (
    text,
    session_id UNINDEXED,
    seq UNINDEXED
);
