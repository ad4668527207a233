-- The affinity board: themes of a study, and the notes and answers ("cards") placed in them.
-- A card is an event, named by (session_id, seq); it is in at most one theme (the primary key),
-- and it goes when its event goes (a consent withdrawal deletes events: their cards must not stay).
-- Events not in any theme are the board's unsorted pool; nothing is stored for them.
CREATE TABLE themes (
    id          TEXT    PRIMARY KEY,
    study_id    TEXT    NOT NULL REFERENCES studies (id) ON DELETE CASCADE,
    name        TEXT    NOT NULL,
    position    INTEGER NOT NULL,
    created_utc TEXT    NOT NULL,
    updated_utc TEXT    NOT NULL
);
CREATE INDEX ix_themes_study ON themes (study_id, position);
-- A backstop for the store's own check (which also folds non-ASCII case): one name per study.
CREATE UNIQUE INDEX ux_themes_study_name ON themes (study_id, name COLLATE NOCASE);

CREATE TABLE theme_cards (
    theme_id   TEXT    NOT NULL REFERENCES themes (id) ON DELETE CASCADE,
    session_id TEXT    NOT NULL,
    seq        INTEGER NOT NULL,
    position   INTEGER NOT NULL,
    PRIMARY KEY (session_id, seq),
    FOREIGN KEY (session_id, seq) REFERENCES events (session_id, seq) ON DELETE CASCADE
);
-- A theme's cards in order (and the cascade from themes without a scan).
CREATE INDEX ix_theme_cards_theme ON theme_cards (theme_id, position);
