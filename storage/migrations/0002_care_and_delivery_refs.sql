-- zhibu schema, version 2: visit tasks (五必访), editable pushes, unreachable accounts, group chats.

-- A push that may later be edited in place (an alert whose buttons were acted on) names a
-- logical message (ref_key); once sent, the platform's id for it is kept (platform_ref).
ALTER TABLE outbox ADD COLUMN ref_key TEXT;
ALTER TABLE outbox ADD COLUMN external_id TEXT;
ALTER TABLE outbox ADD COLUMN platform_ref TEXT;
CREATE INDEX outbox_ref ON outbox(ref_key, member_id);

-- A chat account the platform says we can no longer reach (blocked the bot, left).
ALTER TABLE bindings ADD COLUMN unreachable_at TEXT;

-- Group chats a branch posts its broadcasts and reminders into.
CREATE TABLE branch_chats (
    channel      TEXT NOT NULL,
    chat_id      TEXT NOT NULL,
    branch_id    INTEGER NOT NULL REFERENCES branches(id) ON DELETE CASCADE,
    title        TEXT,
    created_at   TEXT NOT NULL,
    PRIMARY KEY (channel, chat_id)
);

-- Which members get a holiday visit before 春节, 中秋 and 重阳 (comma-separated criteria).
ALTER TABLE branches ADD COLUMN holiday_criteria TEXT NOT NULL
    DEFAULT 'lives_alone,needs_home_delivery,hospitalised,age80';

-- What happened to a member that the 五必访 rule says needs a visit.
CREATE TABLE care_events (
    id                 INTEGER PRIMARY KEY,
    member_id          INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    kind               TEXT NOT NULL CHECK (kind IN
                       ('hospitalisation', 'discharge', 'hardship', 'worry', 'death',
                        'holiday', 'birthday')),
    reported_by        INTEGER REFERENCES members(id),
    reporter_relation  TEXT,
    details            TEXT NOT NULL DEFAULT '{}',
    created_at         TEXT NOT NULL,
    closed_at          TEXT
);
CREATE INDEX care_events_member ON care_events(member_id, kind);

CREATE TABLE visit_tasks (
    id                INTEGER PRIMARY KEY,
    branch_id         INTEGER NOT NULL REFERENCES branches(id) ON DELETE CASCADE,
    member_id         INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    event_id          INTEGER REFERENCES care_events(id) ON DELETE SET NULL,
    kind              TEXT NOT NULL,
    dedupe_key        TEXT UNIQUE,
    status            TEXT NOT NULL DEFAULT 'open'
                      CHECK (status IN ('open', 'taken', 'done', 'cancelled')),
    created_at        TEXT NOT NULL,
    due_at            TEXT NOT NULL,
    taken_by          INTEGER REFERENCES members(id),
    taken_at          TEXT,
    done_by           INTEGER REFERENCES members(id),
    done_at           TEXT,
    visited_on        TEXT,
    note              TEXT,
    photo             TEXT,
    escalation_level  INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX visit_tasks_open ON visit_tasks(status, due_at);
CREATE INDEX visit_tasks_member ON visit_tasks(member_id, status);
