-- zhibu schema, version 3: the month's study materials and their home delivery (送学上门).

-- A material published for one branch, or for every branch (branch_id NULL).
-- Files live beside the database under files/<sha256>/<filename>; only their hash is kept here.
CREATE TABLE materials (
    id            INTEGER PRIMARY KEY,
    branch_id     INTEGER REFERENCES branches(id) ON DELETE CASCADE,
    month         TEXT NOT NULL,                  -- 'YYYY-MM' in the branch's zone
    kind          TEXT NOT NULL CHECK (kind IN ('text', 'file', 'link')),
    title         TEXT NOT NULL,
    body          TEXT,                           -- the text of a text material
    url           TEXT,                           -- the address of a link
    file_sha256   TEXT,
    filename      TEXT,
    mime          TEXT,
    size          INTEGER,
    published_by  INTEGER REFERENCES members(id) ON DELETE SET NULL,
    created_at    TEXT NOT NULL
);
CREATE INDEX materials_month ON materials(month, branch_id);

-- One delivery per member and month: asking again finds the same request.
CREATE TABLE delivery_requests (
    id               INTEGER PRIMARY KEY,
    branch_id        INTEGER NOT NULL REFERENCES branches(id) ON DELETE CASCADE,
    member_id        INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    month            TEXT NOT NULL,
    material_id      INTEGER REFERENCES materials(id) ON DELETE SET NULL,
    reason           TEXT NOT NULL
                     CHECK (reason IN ('asked', 'needs_home_delivery', 'hospitalised')),
    address          TEXT,
    address_changed  INTEGER NOT NULL DEFAULT 0,  -- the member gave a new address: flag it
    preferred_time   TEXT CHECK (preferred_time IN ('morning', 'afternoon', 'any')),
    status           TEXT NOT NULL DEFAULT 'requested'
                     CHECK (status IN ('requested', 'assigned', 'delivered')),
    created_at       TEXT NOT NULL,
    assigned_to      INTEGER REFERENCES members(id) ON DELETE SET NULL,
    assigned_by      INTEGER REFERENCES members(id) ON DELETE SET NULL,
    assigned_at      TEXT,
    delivered_at     TEXT,
    delivered_by     INTEGER REFERENCES members(id) ON DELETE SET NULL,
    proof            TEXT CHECK (proof IN ('volunteer', 'member', 'officer')),
    UNIQUE (member_id, month)
);
CREATE INDEX delivery_open ON delivery_requests(status, created_at);
CREATE INDEX delivery_volunteer ON delivery_requests(assigned_to, status);
