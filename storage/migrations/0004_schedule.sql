-- zhibu schema, version 4: per-branch reminder timing and the record of scheduled job runs.

ALTER TABLE branches ADD COLUMN remind_days_before INTEGER NOT NULL DEFAULT 3;
ALTER TABLE branches ADD COLUMN remind_early_at TEXT NOT NULL DEFAULT '09:00';
ALTER TABLE branches ADD COLUMN remind_minutes_before INTEGER NOT NULL DEFAULT 60;
ALTER TABLE branches ADD COLUMN absentees_after_minutes INTEGER NOT NULL DEFAULT 180;

-- One row per scheduled occurrence (e.g. "remind_early:3:2026-12-08T01:00:00"): a job runs
-- once however often the scheduler fires it, and a missed one is recorded as skipped.
CREATE TABLE job_runs (
    key        TEXT PRIMARY KEY,
    status     TEXT NOT NULL CHECK (status IN ('ran', 'skipped')),
    due_at     TEXT NOT NULL,
    at         TEXT NOT NULL
);
