-- zhibu schema, version 1. Times are UTC ISO-8601 strings ("2026-11-10T01:00:00+00:00").

CREATE TABLE branches (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL UNIQUE,
    study_rule      TEXT,
    study_place     TEXT,
    visit_due_days  INTEGER NOT NULL DEFAULT 3,
    created_at      TEXT NOT NULL
);

CREATE TABLE members (
    id                   INTEGER PRIMARY KEY,
    name                 TEXT NOT NULL,
    phone                TEXT NOT NULL UNIQUE,
    branch_id            INTEGER REFERENCES branches(id),
    role                 TEXT NOT NULL CHECK (role IN ('member', 'secretary', 'instructor', 'admin')),
    birthday             TEXT,
    address              TEXT,
    needs_home_delivery  INTEGER NOT NULL DEFAULT 0,
    lives_alone          INTEGER NOT NULL DEFAULT 0,
    pair_member_id       INTEGER REFERENCES members(id) ON DELETE SET NULL,
    language             TEXT,
    status               TEXT NOT NULL DEFAULT 'active'
                         CHECK (status IN ('active', 'inactive', 'deceased')),
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL
);
CREATE INDEX members_branch ON members(branch_id);

-- Branches an instructor or admin oversees (and the home branch of everyone else).
CREATE TABLE member_branches (
    member_id  INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    branch_id  INTEGER NOT NULL REFERENCES branches(id) ON DELETE CASCADE,
    PRIMARY KEY (member_id, branch_id)
);

CREATE TABLE bindings (
    channel       TEXT NOT NULL,
    external_id   TEXT NOT NULL,
    member_id     INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    relation      TEXT,               -- NULL: the member; otherwise a family member acting for them
    locale        TEXT,               -- last script the sender wrote in
    created_at    TEXT NOT NULL,
    last_seen_at  TEXT NOT NULL,
    PRIMARY KEY (channel, external_id)
);
CREATE INDEX bindings_member ON bindings(member_id);

CREATE TABLE invite_codes (
    code_hash   TEXT PRIMARY KEY,
    member_id   INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    relation    TEXT,
    created_by  INTEGER REFERENCES members(id),
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_at     TEXT
);

CREATE TABLE study_sessions (
    id         INTEGER PRIMARY KEY,
    branch_id  INTEGER NOT NULL REFERENCES branches(id) ON DELETE CASCADE,
    starts_at  TEXT NOT NULL,
    place      TEXT,
    topic      TEXT,
    UNIQUE (branch_id, starts_at)
);

CREATE TABLE check_ins (
    id             INTEGER PRIMARY KEY,
    session_id     INTEGER NOT NULL REFERENCES study_sessions(id) ON DELETE CASCADE,
    member_id      INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    checked_in_at  TEXT NOT NULL,
    by_member_id   INTEGER REFERENCES members(id),   -- set for 代签
    reason         TEXT,                             -- why it was a proxy check-in
    channel        TEXT NOT NULL,
    UNIQUE (session_id, member_id)
);

CREATE TABLE leave_requests (
    id          INTEGER PRIMARY KEY,
    session_id  INTEGER NOT NULL REFERENCES study_sessions(id) ON DELETE CASCADE,
    member_id   INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    reason      TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    UNIQUE (session_id, member_id)
);

-- Multi-step conversations, keyed by who is typing, so a restart loses nothing.
CREATE TABLE conversations (
    channel      TEXT NOT NULL,
    external_id  TEXT NOT NULL,
    flow         TEXT NOT NULL,
    step         TEXT NOT NULL,
    data         TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    PRIMARY KEY (channel, external_id)
);

-- Every inbound message handled, with the reply it got: a redelivery gets the same reply, no effect.
CREATE TABLE processed_messages (
    channel     TEXT NOT NULL,
    message_id  TEXT NOT NULL,
    reply       TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (channel, message_id)
);

CREATE TABLE outbox (
    id               INTEGER PRIMARY KEY,
    idempotency_key  TEXT NOT NULL UNIQUE,
    member_id        INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    kind             TEXT NOT NULL,
    body             TEXT NOT NULL,
    buttons          TEXT NOT NULL DEFAULT '[]',
    urgent           INTEGER NOT NULL DEFAULT 0,
    state            TEXT NOT NULL DEFAULT 'pending'
                     CHECK (state IN ('pending', 'inflight', 'sent', 'dead')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    not_before       TEXT NOT NULL,
    last_error       TEXT,
    channel          TEXT,
    created_at       TEXT NOT NULL,
    sent_at          TEXT
);
CREATE INDEX outbox_due ON outbox(state, not_before);

CREATE TABLE audit_log (
    id                 INTEGER PRIMARY KEY,
    at                 TEXT NOT NULL,
    actor_member_id    INTEGER,
    actor_channel      TEXT,
    actor_external_id  TEXT,
    action             TEXT NOT NULL,
    subject_member_id  INTEGER,
    detail             TEXT
);
CREATE INDEX audit_actor ON audit_log(actor_channel, actor_external_id, action, at);
