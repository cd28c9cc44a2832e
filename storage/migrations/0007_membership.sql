-- zhibu schema, version 7: when a member belonged to a branch.
--
-- A member counts for a session (应到) only if they belonged to its branch at that moment:
-- from joining, not after leaving or dying, and in the branch they were in then (a member who
-- moved counts for the old branch before the move and the new one after it). Each change of
-- membership is one row; reports read a member's state at an instant as their latest row up
-- to it, and list a month's rows as its membership changes.

CREATE TABLE membership_events (
    id              INTEGER PRIMARY KEY,
    member_id       INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    kind            TEXT NOT NULL
                    CHECK (kind IN ('joined', 'moved', 'left', 'deceased', 'restored')),
    branch_id       INTEGER REFERENCES branches(id) ON DELETE SET NULL,  -- in it from now
    from_branch_id  INTEGER REFERENCES branches(id) ON DELETE SET NULL,  -- 'moved': from
    at              TEXT NOT NULL
);
CREATE INDEX membership_events_branch ON membership_events(branch_id, at);
CREATE INDEX membership_events_from ON membership_events(from_branch_id, at)
    WHERE from_branch_id IS NOT NULL;
CREATE INDEX membership_events_member ON membership_events(member_id, at);

-- What is known of the members already here: they joined when they were first entered, and
-- those no longer active left (or died) when their row last changed.
INSERT INTO membership_events (member_id, kind, branch_id, at)
    SELECT id, 'joined', branch_id, created_at FROM members WHERE branch_id IS NOT NULL;
INSERT INTO membership_events (member_id, kind, branch_id, at)
    SELECT id, CASE status WHEN 'deceased' THEN 'deceased' ELSE 'left' END, branch_id, updated_at
    FROM members WHERE branch_id IS NOT NULL AND status <> 'active';

-- The roll-up of many branches (zhibu report --all) counts each branch's month of visit
-- tasks and deliveries: one probe each, not a scan of every branch's rows.
CREATE INDEX visit_tasks_branch_due ON visit_tasks(branch_id, due_at);
CREATE INDEX delivery_branch_month ON delivery_requests(branch_id, month);

-- 指导: a party-building instructor's guidance visit to a branch (the first seed report:
-- instructors "直接指导" several branches); counted in the reports, the note kept.
CREATE TABLE guidance_visits (
    id             INTEGER PRIMARY KEY,
    branch_id      INTEGER NOT NULL REFERENCES branches(id) ON DELETE CASCADE,
    instructor_id  INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    visited_on     TEXT NOT NULL,  -- YYYY-MM-DD, the branch's local day
    note           TEXT NOT NULL,
    created_at     TEXT NOT NULL
);
CREATE INDEX guidance_branch_day ON guidance_visits(branch_id, visited_on);
