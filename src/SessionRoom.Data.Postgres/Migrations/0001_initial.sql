-- SessionRoom on PostgreSQL: the whole schema, mirroring SQLite's migrations 0001-0008
-- (src/SessionRoom.Data/Migrations) table by table and column by column, with PostgreSQL's own types:
-- uuid for ids, timestamptz for times, boolean for flags, bigint for seq and times in ms.
-- The stores run the same SQL on both (src/SessionRoom.Data/Db.cs says where it differs).
-- Later changes go in new numbered files, as on SQLite.

CREATE TABLE settings (
    key   text PRIMARY KEY,
    value text NOT NULL
);

CREATE TABLE studies (
    id           uuid        PRIMARY KEY,
    name         text        NOT NULL,
    goal         text,
    consent_text text,
    created_utc  timestamptz NOT NULL
);

CREATE TABLE codebook_tags (
    study_id uuid    NOT NULL REFERENCES studies (id) ON DELETE CASCADE,
    position integer NOT NULL,
    name     text    NOT NULL,
    color    text    NOT NULL,
    hotkey   integer,
    PRIMARY KEY (study_id, name)
);

-- seq_floor: the highest seq ever given in the session, kept by a consent withdrawal, so the numbers of
-- deleted events are never given again (as SQLite's 0007). The event writer locks this row for the
-- length of its transaction before it numbers the session's events: see EventWriter.
CREATE TABLE sessions (
    id                uuid        PRIMARY KEY,
    study_id          uuid        NOT NULL REFERENCES studies (id) ON DELETE CASCADE,
    title             text        NOT NULL,
    mode              text        NOT NULL,
    status            text        NOT NULL DEFAULT 'draft',
    current_prompt_id uuid,
    started_utc       timestamptz,
    ended_utc         timestamptz,
    created_utc       timestamptz NOT NULL,
    blind             boolean     NOT NULL DEFAULT FALSE,
    seq_floor         bigint      NOT NULL DEFAULT 0
);
CREATE INDEX ix_sessions_study ON sessions (study_id, created_utc);

CREATE TABLE session_tags (
    session_id uuid    NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    position   integer NOT NULL,
    name       text    NOT NULL,
    PRIMARY KEY (session_id, name)
);

CREATE TABLE prompts (
    id               uuid    PRIMARY KEY,
    session_id       uuid    NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    position         integer NOT NULL,
    kind             text    NOT NULL,
    text             text    NOT NULL,
    options_json     text,
    multiple         boolean,
    scale_max        integer,
    success_criteria text,
    url              text,
    show_criteria    boolean NOT NULL DEFAULT FALSE
);
CREATE INDEX ix_prompts_session ON prompts (session_id, position);

CREATE TABLE invites (
    id          uuid        PRIMARY KEY,
    session_id  uuid        NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    role        text        NOT NULL,
    name        text,
    token_hash  text        NOT NULL UNIQUE,
    created_utc timestamptz NOT NULL,
    revoked_utc timestamptz
);
CREATE INDEX ix_invites_session ON invites (session_id, created_utc);

CREATE TABLE members (
    id            uuid        PRIMARY KEY,
    session_id    uuid        NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    role          text        NOT NULL,
    display_name  text        NOT NULL,
    code          text        NOT NULL,
    invite_id     uuid        UNIQUE REFERENCES invites (id) ON DELETE CASCADE,
    created_utc   timestamptz NOT NULL,
    revoked_utc   timestamptz,
    withdrawn_utc timestamptz,
    UNIQUE (session_id, code)
);

CREATE TABLE member_tokens (
    token_hash  text        PRIMARY KEY,
    member_id   uuid        NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    created_utc timestamptz NOT NULL
);
CREATE INDEX ix_member_tokens_member ON member_tokens (member_id);

-- data_json is text, not jsonb: nothing queries inside it, the stored text is handed back exactly as
-- written (jsonb reorders keys and respaces, and the CSV export passes the stored JSON through, so both
-- providers give the same bytes), and the append path pays no JSON parse.
-- text_search is what SQLite keeps in its FTS5 table event_text: PostgreSQL derives it from the text
-- itself ('simple': words lower-cased, no stemming, as FTS5's unicode61 tokenizer), so nothing has to
-- write or delete it.
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
    restricted      boolean     NOT NULL DEFAULT FALSE,
    text_search     tsvector    GENERATED ALWAYS AS (to_tsvector('simple', COALESCE(text, ''))) STORED,
    PRIMARY KEY (session_id, seq),
    UNIQUE (session_id, client_event_id)
);
CREATE INDEX ix_events_task ON events (session_id, prompt_id, participant_id, seq);
CREATE INDEX ix_events_audience ON events (session_id, audience, seq);
CREATE INDEX ix_events_actor ON events (session_id, actor_id);
CREATE INDEX ix_events_participant ON events (session_id, participant_id);
CREATE INDEX ix_events_text_search ON events USING gin (text_search);

CREATE TABLE event_tags (
    session_id uuid   NOT NULL,
    seq        bigint NOT NULL,
    tag        text   NOT NULL,
    PRIMARY KEY (session_id, seq, tag),
    FOREIGN KEY (session_id, seq) REFERENCES events (session_id, seq) ON DELETE CASCADE
);
CREATE INDEX ix_event_tags_tag ON event_tags (session_id, tag);

CREATE TABLE highlights (
    session_id  uuid        NOT NULL,
    seq         bigint      NOT NULL,
    created_utc timestamptz NOT NULL,
    PRIMARY KEY (session_id, seq),
    FOREIGN KEY (session_id, seq) REFERENCES events (session_id, seq) ON DELETE CASCADE
);

CREATE TABLE themes (
    id          uuid        PRIMARY KEY,
    study_id    uuid        NOT NULL REFERENCES studies (id) ON DELETE CASCADE,
    name        text        NOT NULL,
    position    integer     NOT NULL,
    created_utc timestamptz NOT NULL,
    updated_utc timestamptz NOT NULL
);
CREATE INDEX ix_themes_study ON themes (study_id, position);
-- A backstop for the store's own check: one name per study, any case (SQLite: COLLATE NOCASE).
CREATE UNIQUE INDEX ux_themes_study_name ON themes (study_id, lower(name));

CREATE TABLE theme_cards (
    theme_id   uuid    NOT NULL REFERENCES themes (id) ON DELETE CASCADE,
    session_id uuid    NOT NULL,
    seq        bigint  NOT NULL,
    position   integer NOT NULL,
    PRIMARY KEY (session_id, seq),
    FOREIGN KEY (session_id, seq) REFERENCES events (session_id, seq) ON DELETE CASCADE
);
CREATE INDEX ix_theme_cards_theme ON theme_cards (theme_id, position);

CREATE TABLE withdrawals (
    id             uuid        PRIMARY KEY,
    session_id     uuid        NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    member_code    text        NOT NULL,
    events_deleted integer     NOT NULL,
    created_utc    timestamptz NOT NULL
);
CREATE INDEX ix_withdrawals_session ON withdrawals (session_id, created_utc);

-- The tag matrices' counts, kept by triggers as on SQLite (its 0008 says why). The key is the prompt's or
-- participant's id as text, '' for none, as SQLite stores it: MatrixStore reads both the same way.
CREATE TABLE tag_prompt_counts (
    session_id uuid    NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    tag        text    NOT NULL,
    prompt_id  text    NOT NULL,
    n          integer NOT NULL,
    PRIMARY KEY (session_id, tag, prompt_id)
);

CREATE TABLE tag_participant_counts (
    session_id     uuid    NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    tag            text    NOT NULL,
    participant_id text    NOT NULL,
    n              integer NOT NULL,
    PRIMARY KEY (session_id, tag, participant_id)
);

-- Counts one tag row in (+1) or out (-1) under its event's prompt and participant.
CREATE FUNCTION count_event_tag(p_session uuid, p_seq bigint, p_tag text, p_delta integer) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    v_prompt text;
    v_participant text;
BEGIN
    SELECT COALESCE(e.prompt_id::text, ''), COALESCE(e.participant_id::text, '') INTO v_prompt, v_participant
    FROM events e WHERE e.session_id = p_session AND e.seq = p_seq;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    IF p_delta > 0 THEN
        INSERT INTO tag_prompt_counts (session_id, tag, prompt_id, n) VALUES (p_session, p_tag, v_prompt, p_delta)
        ON CONFLICT (session_id, tag, prompt_id) DO UPDATE SET n = tag_prompt_counts.n + p_delta;
        INSERT INTO tag_participant_counts (session_id, tag, participant_id, n) VALUES (p_session, p_tag, v_participant, p_delta)
        ON CONFLICT (session_id, tag, participant_id) DO UPDATE SET n = tag_participant_counts.n + p_delta;
    ELSIF EXISTS (SELECT 1 FROM sessions WHERE id = p_session) THEN
        -- (A whole session being deleted takes its count rows by cascade: nothing to count down.)
        UPDATE tag_prompt_counts SET n = n + p_delta WHERE session_id = p_session AND tag = p_tag AND prompt_id = v_prompt;
        UPDATE tag_participant_counts SET n = n + p_delta WHERE session_id = p_session AND tag = p_tag AND participant_id = v_participant;
        DELETE FROM tag_prompt_counts WHERE session_id = p_session AND tag = p_tag AND prompt_id = v_prompt AND n <= 0;
        DELETE FROM tag_participant_counts WHERE session_id = p_session AND tag = p_tag AND participant_id = v_participant AND n <= 0;
    END IF;
END;
$$;

CREATE FUNCTION tr_event_tags_count() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        PERFORM count_event_tag(OLD.session_id, OLD.seq, OLD.tag, -1);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM count_event_tag(NEW.session_id, NEW.seq, NEW.tag, 1);
    END IF;
    RETURN NULL;
END;
$$;

-- A tag given to an event (the event writer inserts the event first, then its tags), taken away or changed.
CREATE TRIGGER tr_event_tags_count AFTER INSERT OR UPDATE OR DELETE ON event_tags
FOR EACH ROW EXECUTE FUNCTION tr_event_tags_count();

-- An event deleted (consent withdrawal): its tags go first, while the event can still say which prompt
-- and participant they were counted under. (A whole session deleted takes its count rows by cascade.)
CREATE FUNCTION tr_events_count_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM event_tags WHERE session_id = OLD.session_id AND seq = OLD.seq;
    RETURN OLD;
END;
$$;

CREATE TRIGGER tr_events_count_delete BEFORE DELETE ON events
FOR EACH ROW EXECUTE FUNCTION tr_events_count_delete();

-- Events are not edited, but should one ever move to another prompt or participant, its tags move with it.
CREATE FUNCTION tr_events_count_update() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    v_tag text;
BEGIN
    FOR v_tag IN SELECT tag FROM event_tags WHERE session_id = OLD.session_id AND seq = OLD.seq LOOP
        UPDATE tag_prompt_counts SET n = n - 1
        WHERE session_id = OLD.session_id AND tag = v_tag AND prompt_id = COALESCE(OLD.prompt_id::text, '');
        UPDATE tag_participant_counts SET n = n - 1
        WHERE session_id = OLD.session_id AND tag = v_tag AND participant_id = COALESCE(OLD.participant_id::text, '');
        PERFORM count_event_tag(NEW.session_id, NEW.seq, v_tag, 1);
    END LOOP;
    DELETE FROM tag_prompt_counts WHERE session_id = OLD.session_id AND n <= 0;
    DELETE FROM tag_participant_counts WHERE session_id = OLD.session_id AND n <= 0;
    RETURN NULL;
END;
$$;

CREATE TRIGGER tr_events_count_update AFTER UPDATE OF prompt_id, participant_id ON events
FOR EACH ROW EXECUTE FUNCTION tr_events_count_update();
