-- The study's consent text, shown to participants before they join.
ALTER TABLE studies ADD COLUMN consent_text TEXT;

-- Blind mode: observers see only their own notes until the session ends.
ALTER TABLE sessions ADD COLUMN blind INTEGER NOT NULL DEFAULT 0;

-- A note or observer reaction made in blind mode: other observers may see it only once the session has ended.
ALTER TABLE events ADD COLUMN restricted INTEGER NOT NULL DEFAULT 0;
