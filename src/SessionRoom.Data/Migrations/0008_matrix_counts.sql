-- Tag counts kept at the grain the tag matrices show them: per session, tag and prompt, and per
-- session, tag and participant. tag_counts (0005) counted per session x tag x prompt x participant,
-- which a study of 50 sessions turns into ~38,000 rows to read and fold for its matrices (~190 ms at
-- 100,000 events); the two tables below hold ~10,000 between them and need no folding. Each tag
-- written now updates two rows instead of one.

CREATE TABLE tag_prompt_counts (
    session_id TEXT    NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    tag        TEXT    NOT NULL,
    prompt_id  TEXT    NOT NULL, -- '' for events before the first prompt
    n          INTEGER NOT NULL,
    PRIMARY KEY (session_id, tag, prompt_id)
) WITHOUT ROWID;

CREATE TABLE tag_participant_counts (
    session_id     TEXT    NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    tag            TEXT    NOT NULL,
    participant_id TEXT    NOT NULL, -- '' for events about no participant
    n              INTEGER NOT NULL,
    PRIMARY KEY (session_id, tag, participant_id)
) WITHOUT ROWID;

INSERT INTO tag_prompt_counts (session_id, tag, prompt_id, n)
SELECT session_id, tag, prompt_id, SUM(n) FROM tag_counts WHERE n > 0 GROUP BY session_id, tag, prompt_id;

INSERT INTO tag_participant_counts (session_id, tag, participant_id, n)
SELECT session_id, tag, participant_id, SUM(n) FROM tag_counts WHERE n > 0 GROUP BY session_id, tag, participant_id;

DROP TRIGGER tr_event_tags_count_insert;
DROP TRIGGER tr_event_tags_count_delete;
DROP TRIGGER tr_event_tags_count_update;
DROP TRIGGER tr_events_count_update;
DROP TABLE tag_counts;
-- tr_events_count_delete (0005) stays: deleting an event deletes its tags first, so the triggers
-- below can still read which prompt and participant they were counted under.

-- A tag given to an event (the event writer inserts the event first, then its tags).
CREATE TRIGGER tr_event_tags_count_insert AFTER INSERT ON event_tags
BEGIN
    INSERT INTO tag_prompt_counts (session_id, tag, prompt_id, n)
    SELECT NEW.session_id, NEW.tag, COALESCE(e.prompt_id, ''), 1
    FROM events e WHERE e.session_id = NEW.session_id AND e.seq = NEW.seq
    ON CONFLICT (session_id, tag, prompt_id) DO UPDATE SET n = n + 1;
    INSERT INTO tag_participant_counts (session_id, tag, participant_id, n)
    SELECT NEW.session_id, NEW.tag, COALESCE(e.participant_id, ''), 1
    FROM events e WHERE e.session_id = NEW.session_id AND e.seq = NEW.seq
    ON CONFLICT (session_id, tag, participant_id) DO UPDATE SET n = n + 1;
END;

-- A tag taken away. Its event still exists (see tr_events_count_delete).
CREATE TRIGGER tr_event_tags_count_delete AFTER DELETE ON event_tags
BEGIN
    UPDATE tag_prompt_counts SET n = n - 1
    WHERE session_id = OLD.session_id AND tag = OLD.tag
      AND prompt_id = (SELECT COALESCE(e.prompt_id, '') FROM events e WHERE e.session_id = OLD.session_id AND e.seq = OLD.seq);
    UPDATE tag_participant_counts SET n = n - 1
    WHERE session_id = OLD.session_id AND tag = OLD.tag
      AND participant_id = (SELECT COALESCE(e.participant_id, '') FROM events e WHERE e.session_id = OLD.session_id AND e.seq = OLD.seq);
    DELETE FROM tag_prompt_counts WHERE session_id = OLD.session_id AND tag = OLD.tag AND n <= 0;
    DELETE FROM tag_participant_counts WHERE session_id = OLD.session_id AND tag = OLD.tag AND n <= 0;
END;

CREATE TRIGGER tr_event_tags_count_update AFTER UPDATE ON event_tags
BEGIN
    UPDATE tag_prompt_counts SET n = n - 1
    WHERE session_id = OLD.session_id AND tag = OLD.tag
      AND prompt_id = (SELECT COALESCE(e.prompt_id, '') FROM events e WHERE e.session_id = OLD.session_id AND e.seq = OLD.seq);
    UPDATE tag_participant_counts SET n = n - 1
    WHERE session_id = OLD.session_id AND tag = OLD.tag
      AND participant_id = (SELECT COALESCE(e.participant_id, '') FROM events e WHERE e.session_id = OLD.session_id AND e.seq = OLD.seq);
    DELETE FROM tag_prompt_counts WHERE session_id = OLD.session_id AND tag = OLD.tag AND n <= 0;
    DELETE FROM tag_participant_counts WHERE session_id = OLD.session_id AND tag = OLD.tag AND n <= 0;
    INSERT INTO tag_prompt_counts (session_id, tag, prompt_id, n)
    SELECT NEW.session_id, NEW.tag, COALESCE(e.prompt_id, ''), 1
    FROM events e WHERE e.session_id = NEW.session_id AND e.seq = NEW.seq
    ON CONFLICT (session_id, tag, prompt_id) DO UPDATE SET n = n + 1;
    INSERT INTO tag_participant_counts (session_id, tag, participant_id, n)
    SELECT NEW.session_id, NEW.tag, COALESCE(e.participant_id, ''), 1
    FROM events e WHERE e.session_id = NEW.session_id AND e.seq = NEW.seq
    ON CONFLICT (session_id, tag, participant_id) DO UPDATE SET n = n + 1;
END;

-- Events are not edited, but should one ever move to another prompt or participant, its tags move with it.
CREATE TRIGGER tr_events_count_update AFTER UPDATE OF prompt_id, participant_id ON events
BEGIN
    UPDATE tag_prompt_counts SET n = n - 1
    WHERE session_id = OLD.session_id AND prompt_id = COALESCE(OLD.prompt_id, '')
      AND tag IN (SELECT tag FROM event_tags WHERE session_id = OLD.session_id AND seq = OLD.seq);
    UPDATE tag_participant_counts SET n = n - 1
    WHERE session_id = OLD.session_id AND participant_id = COALESCE(OLD.participant_id, '')
      AND tag IN (SELECT tag FROM event_tags WHERE session_id = OLD.session_id AND seq = OLD.seq);
    DELETE FROM tag_prompt_counts WHERE session_id = OLD.session_id AND n <= 0;
    DELETE FROM tag_participant_counts WHERE session_id = OLD.session_id AND n <= 0;
    INSERT INTO tag_prompt_counts (session_id, tag, prompt_id, n)
    SELECT NEW.session_id, t.tag, COALESCE(NEW.prompt_id, ''), 1
    FROM event_tags t WHERE t.session_id = NEW.session_id AND t.seq = NEW.seq
    ON CONFLICT (session_id, tag, prompt_id) DO UPDATE SET n = n + 1;
    INSERT INTO tag_participant_counts (session_id, tag, participant_id, n)
    SELECT NEW.session_id, t.tag, COALESCE(NEW.participant_id, ''), 1
    FROM event_tags t WHERE t.session_id = NEW.session_id AND t.seq = NEW.seq
    ON CONFLICT (session_id, tag, participant_id) DO UPDATE SET n = n + 1;
END;
