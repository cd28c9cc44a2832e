-- zhibu schema, version 9: branch life beyond the study day (the seed reports' 互助对子,
-- interest groups, volunteer teams, and the three platforms 我见证 / 我参与 / 我点赞).
--
-- Dates a member says ("今天去看了张桂兰") are kept as the branch's local day (YYYY-MM-DD);
-- instants as UTC text like every other table. `month` columns are the local YYYY-MM the
-- row counts for, so a month's figures are one indexed probe per branch.

-- 互助对子: one row each time a member helped their partner (生活帮助 life, 精神慰藉
-- comfort, 就近互助 nearby). The pair itself stays members.pair_member_id (the roster's
-- import format); the contact belongs to the helper's branch at the time.
CREATE TABLE pair_contacts (
    id            INTEGER PRIMARY KEY,
    branch_id     INTEGER NOT NULL REFERENCES branches(id) ON DELETE CASCADE,
    member_id     INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,  -- who helped
    partner_id    INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,  -- who was helped
    kind          TEXT NOT NULL CHECK (kind IN ('life', 'comfort', 'nearby')),
    note          TEXT NOT NULL,
    contacted_on  TEXT NOT NULL,
    month         TEXT NOT NULL,
    created_at    TEXT NOT NULL
);
CREATE INDEX pair_contacts_branch_month ON pair_contacts(branch_id, month);
CREATE INDEX pair_contacts_members ON pair_contacts(member_id, partner_id, contacted_on);
CREATE INDEX pair_contacts_partner ON pair_contacts(partner_id, member_id, contacted_on);

-- A gentle nudge to a pair silent for 30 days: at most one per pair and silence.
CREATE TABLE pair_nudges (
    member_id   INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    partner_id  INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    since       TEXT NOT NULL,   -- the last contact (or the pairing) the silence runs from
    sent_at     TEXT NOT NULL,
    PRIMARY KEY (member_id, partner_id, since)
);

-- When two members were paired (结对 in chat, or the roster): the silence of a pair that
-- never met runs from here.
CREATE TABLE pairings (
    member_id   INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    partner_id  INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    paired_at   TEXT NOT NULL,
    paired_by   INTEGER REFERENCES members(id) ON DELETE SET NULL,
    PRIMARY KEY (member_id, partner_id)
);
INSERT INTO pairings (member_id, partner_id, paired_at)
    SELECT id, pair_member_id, updated_at FROM members WHERE pair_member_id IS NOT NULL;

-- Interest groups (书法组, 门球队, 棋类组, 合唱队…): standing groups of one branch; notices
-- and activities of a group reach only its members.
CREATE TABLE interest_groups (
    id          INTEGER PRIMARY KEY,
    branch_id   INTEGER NOT NULL REFERENCES branches(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    created_by  INTEGER REFERENCES members(id) ON DELETE SET NULL,
    created_at  TEXT NOT NULL,
    UNIQUE (branch_id, name)
);
CREATE TABLE group_members (
    group_id   INTEGER NOT NULL REFERENCES interest_groups(id) ON DELETE CASCADE,
    member_id  INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    joined_at  TEXT NOT NULL,
    PRIMARY KEY (group_id, member_id)
);
CREATE INDEX group_members_member ON group_members(member_id);

-- Activities: 兴趣小组 interest, 志愿服务 volunteer, 参观 visit, 讲座 lecture, 学手机 phone
-- (学电脑/学智能手机 classes), 其他 other. Invited: the branches in activity_branches (an
-- instructor or admin may invite several), or only a group's members when group_id is set.
CREATE TABLE activities (
    id            INTEGER PRIMARY KEY,
    branch_id     INTEGER NOT NULL REFERENCES branches(id) ON DELETE CASCADE,  -- organiser's
    kind          TEXT NOT NULL
                  CHECK (kind IN ('interest', 'volunteer', 'visit', 'lecture', 'phone', 'other')),
    title         TEXT NOT NULL,
    starts_at     TEXT NOT NULL,
    place         TEXT,
    capacity      INTEGER CHECK (capacity IS NULL OR capacity > 0),
    group_id      INTEGER REFERENCES interest_groups(id) ON DELETE SET NULL,
    organiser_id  INTEGER REFERENCES members(id) ON DELETE SET NULL,
    status        TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'cancelled')),
    month         TEXT NOT NULL,
    created_at    TEXT NOT NULL
);
CREATE INDEX activities_starts ON activities(starts_at);
CREATE INDEX activities_branch_month ON activities(branch_id, month);
CREATE TABLE activity_branches (
    activity_id  INTEGER NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
    branch_id    INTEGER NOT NULL REFERENCES branches(id) ON DELETE CASCADE,
    PRIMARY KEY (activity_id, branch_id)
);
CREATE INDEX activity_branches_branch ON activity_branches(branch_id);
-- 报名: signed (has a place), waiting (the list when full), cancelled. One row per member.
CREATE TABLE activity_signups (
    activity_id  INTEGER NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
    member_id    INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    state        TEXT NOT NULL CHECK (state IN ('signed', 'waiting', 'cancelled')),
    updated_at   TEXT NOT NULL,
    PRIMARY KEY (activity_id, member_id)
);
CREATE INDEX activity_signups_member ON activity_signups(member_id, state);
-- Who was there (签到 at the activity, or the organiser's record) and their volunteer hours.
CREATE TABLE activity_attendance (
    activity_id    INTEGER NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
    member_id      INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    branch_id      INTEGER REFERENCES branches(id) ON DELETE SET NULL,  -- the member's, then
    checked_in_at  TEXT NOT NULL,
    by_member_id   INTEGER REFERENCES members(id) ON DELETE SET NULL,
    hours          REAL CHECK (hours IS NULL OR (hours > 0 AND hours <= 24)),
    PRIMARY KEY (activity_id, member_id)
);
CREATE INDEX activity_attendance_branch ON activity_attendance(branch_id);

-- 投稿: a member's piece for a column (见证 witness, 参与 join, 点赞 praise, 建言献策 advice).
-- submitted → accepted / returned; advice: submitted → forwarded (up to the admins) →
-- answered. A photo is published only where its author agreed (photo_public).
CREATE TABLE submissions (
    id            INTEGER PRIMARY KEY,
    branch_id     INTEGER NOT NULL REFERENCES branches(id) ON DELETE CASCADE,
    member_id     INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    section       TEXT NOT NULL CHECK (section IN ('witness', 'join', 'praise', 'advice')),
    theme         TEXT,
    body          TEXT NOT NULL,
    photo         TEXT,
    photo_public  INTEGER NOT NULL DEFAULT 0,
    status        TEXT NOT NULL DEFAULT 'submitted'
                  CHECK (status IN ('submitted', 'accepted', 'returned', 'forwarded', 'answered')),
    review_note   TEXT,
    reviewed_by   INTEGER REFERENCES members(id) ON DELETE SET NULL,
    reviewed_at   TEXT,
    month         TEXT NOT NULL,
    created_at    TEXT NOT NULL
);
CREATE INDEX submissions_branch_month ON submissions(branch_id, month, status);
CREATE INDEX submissions_member ON submissions(member_id, created_at);

-- 征文主题: the month's theme an officer set for a branch.
CREATE TABLE themes (
    branch_id  INTEGER NOT NULL REFERENCES branches(id) ON DELETE CASCADE,
    month      TEXT NOT NULL,
    theme      TEXT NOT NULL,
    set_by     INTEGER REFERENCES members(id) ON DELETE SET NULL,
    PRIMARY KEY (branch_id, month)
);

-- 点赞: one tap on a digest item (submission_id), or 身边点赞 of a person for a deed
-- (to_member_id, note). One like per person and piece; no points, no rankings.
CREATE TABLE likes (
    id              INTEGER PRIMARY KEY,
    branch_id       INTEGER NOT NULL REFERENCES branches(id) ON DELETE CASCADE,
    from_member_id  INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    submission_id   INTEGER REFERENCES submissions(id) ON DELETE CASCADE,
    to_member_id    INTEGER REFERENCES members(id) ON DELETE CASCADE,
    note            TEXT,
    month           TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    CHECK ((submission_id IS NULL) <> (to_member_id IS NULL))
);
CREATE UNIQUE INDEX likes_once ON likes(from_member_id, submission_id)
    WHERE submission_id IS NOT NULL;
CREATE INDEX likes_branch_month ON likes(branch_id, month);

-- The monthly digest of a branch, sent once.
CREATE TABLE digests (
    branch_id  INTEGER NOT NULL REFERENCES branches(id) ON DELETE CASCADE,
    month      TEXT NOT NULL,
    sent_at    TEXT NOT NULL,
    sent_by    INTEGER REFERENCES members(id) ON DELETE SET NULL,
    PRIMARY KEY (branch_id, month)
);
