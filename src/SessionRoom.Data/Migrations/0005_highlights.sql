-- Review: starred notes and answers, and the counts behind the tag matrices.

-- A star on one note or answer (HighlightStore checks the type). Goes with its event.
CREATE TABLE highlights (
    session_id  TEXT    NOT NULL,
    seq         INTEGER NOT NULL,
    created_utc TEXT    NOT NULL,
    PRIMARY KEY (session_id, seq),
    FOREIGN KEY (session_id, seq) REFERENCES events (session_id, seq) ON DELETE CASCADE
);

-- The tag matrices (MatrixStore) count tagged events per (tag, prompt, participant). Counting them from
-- event_tags joined to events means one lookup per tag row: about 250 ms for a session of 100,000 events,
-- whichever side drives the join and whatever index is added (measured with EXPLAIN QUERY PLAN and a timer).
-- So the counts are kept up to date here, by triggers, and a matrix reads a few hundred rows instead.
-- '' stands for "no prompt" and "no participant" (a primary key column cannot be NULL here).
CREATE TABLE tag_counts (
    session_id     TEXT    NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    tag            TEXT    NOT NULL,
    prompt_id      TEXT    NOT NULL,
    participant_id TEXT    NOT NULL,
    n              INTEGER NOT NULL,
    PRIMARY KEY (session_id, tag, prompt_id, participant_id)
) WITHOUT ROWID;

INSERT INTO tag_counts (session_id, tag, prompt_id, participant_id, n)
SELECT t.session_id, t.tag, COALESCE(e.prompt_id, ''), COALESCE(e.participant_id, ''), COUNT(*)
FROM event_tags t JOIN events e ON e.session_id = t.session_id AND e.seq = t.seq
GROUP BY t.session_id, t.tag, COALESCE(e.prompt_id, ''), COALESCE(e.participant_id, '');

-- A tag given to an event (the event writer inserts the event first, then its tags).
CREATE TRIGGER tr_event_tags_count_insert AFTER INSERT ON event_tags
BEGIN
    INSERT INTO tag_counts (session_id, tag, prompt_id, participant_id, n)
    SELECT NEW.session_id, NEW.tag, COALESCE(e.prompt_id, ''), COALESCE(e.participant_id, ''), 1
    FROM events e WHERE e.session_id = NEW.session_id AND e.seq = NEW.seq
    ON CONFLICT (session_id, tag, prompt_id, participant_id) DO UPDATE SET n = n + 1;
END;

-- A tag taken away. Its event still exists: deleting an event deletes its tags first (next trigger).
CREATE TRIGGER tr_event_tags_count_delete AFTER DELETE ON event_tags
BEGIN
    UPDATE tag_counts SET n = n - 1
    WHERE session_id = OLD.session_id AND tag = OLD.tag
      AND (prompt_id, participant_id) = (SELECT COALESCE(e.prompt_id, ''), COALESCE(e.participant_id, '')
                                         FROM events e WHERE e.session_id = OLD.session_id AND e.seq = OLD.seq);
    DELETE FROM tag_counts WHERE session_id = OLD.session_id AND tag = OLD.tag AND n <= 0;
END;

CREATE TRIGGER tr_event_tags_count_update AFTER UPDATE ON event_tags
BEGIN
    UPDATE tag_counts SET n = n - 1
    WHERE session_id = OLD.session_id AND tag = OLD.tag
      AND (prompt_id, participant_id) = (SELECT COALESCE(e.prompt_id, ''), COALESCE(e.participant_id, '')
                                         FROM events e WHERE e.session_id = OLD.session_id AND e.seq = OLD.seq);
    DELETE FROM tag_counts WHERE session_id = OLD.session_id AND tag = OLD.tag AND n <= 0;
    INSERT INTO tag_counts (session_id, tag, prompt_id, participant_id, n)
    SELECT NEW.session_id, NEW.tag, COALESCE(e.prompt_id, ''), COALESCE(e.participant_id, ''), 1
    FROM events e WHERE e.session_id = NEW.session_id AND e.seq = NEW.seq
    ON CONFLICT (session_id, tag, prompt_id, participant_id) DO UPDATE SET n = n + 1;
END;

-- An event deleted (consent withdrawal, a session deleted): its tags go first, while the event can
-- still say which prompt and participant they were counted under.
CREATE TRIGGER tr_events_count_delete BEFORE DELETE ON events
BEGIN
    DELETE FROM event_tags WHERE session_id = OLD.session_id AND seq = OLD.seq;
END;

-- Events are not edited, but should one ever move to another prompt or participant, its tags move with it.
CREATE TRIGGER tr_events_count_update AFTER UPDATE OF prompt_id, participant_id ON events
BEGIN
    UPDATE tag_counts SET n = n - 1
    WHERE session_id = OLD.session_id AND prompt_id = COALESCE(OLD.prompt_id, '') AND participant_id = COALESCE(OLD.participant_id, '')
      AND tag IN (SELECT tag FROM event_tags WHERE session_id = OLD.session_id AND seq = OLD.seq);
    DELETE FROM tag_counts WHERE session_id = OLD.session_id AND n <= 0;
    INSERT INTO tag_counts (session_id, tag, prompt_id, participant_id, n)
    SELECT NEW.session_id, t.tag, COALESCE(NEW.prompt_id, ''), COALESCE(NEW.participant_id, ''), 1
    FROM event_tags t WHERE t.session_id = NEW.session_id AND t.seq = NEW.seq
    ON CONFLICT (session_id, tag, prompt_id, participant_id) DO UPDATE SET n = n + 1;
END;
