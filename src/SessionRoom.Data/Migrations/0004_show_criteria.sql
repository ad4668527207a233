-- Whether a task's success criteria are shown to participants (off: they stay with the facilitator and observers).
ALTER TABLE prompts ADD COLUMN show_criteria INTEGER NOT NULL DEFAULT 0;
