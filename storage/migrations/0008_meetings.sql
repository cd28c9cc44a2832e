-- zhibu schema, version 8: every meeting of 三会一课, not only the monthly study day.
--
-- A branch keeps its study-day rule (branches.study_rule) and may have a rule for each other
-- kind: 支委会 (committee: the branch's officers), 党员大会 (general), 党小组会 (group) and
-- 党课 (lecture). An officer can also add a meeting once (one_off), and move a study day
-- (the ruled session is kept, pointing at the one-off that replaces it, so check-ins and
-- leave already given stay where they were). Two meetings of one branch cannot start at
-- the same instant (the existing UNIQUE (branch_id, starts_at)).

ALTER TABLE study_sessions ADD COLUMN kind TEXT NOT NULL DEFAULT 'study'
    CHECK (kind IN ('study', 'committee', 'general', 'group', 'lecture'));
ALTER TABLE study_sessions ADD COLUMN one_off INTEGER NOT NULL DEFAULT 0;
ALTER TABLE study_sessions ADD COLUMN moved_to INTEGER REFERENCES study_sessions(id);

CREATE TABLE meeting_rules (
    branch_id  INTEGER NOT NULL REFERENCES branches(id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('committee', 'general', 'group', 'lecture')),
    rule       TEXT NOT NULL,
    place      TEXT,
    PRIMARY KEY (branch_id, kind)
);
