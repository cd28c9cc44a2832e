-- zhibu schema, version 10: several zhibu instances on one database (PostgreSQL).
--
-- Leases: who holds a role that only one instance may play at a time (the scheduler, the
-- Telegram poller), until when. The holder renews it; another instance takes it once it has
-- expired, so a dead holder is replaced within the lease's length. Each live instance also
-- keeps a lease of its own ('instance:<id>'), which is how instances count each other (the
-- send budget is shared among them).
CREATE TABLE leases (
    name        TEXT PRIMARY KEY,
    holder      TEXT NOT NULL,
    expires_at  TEXT NOT NULL
);

-- An outbox row in flight belongs to the instance that claimed it until claimed_until; after
-- that any instance may claim it again (its sender died), in the same per-member order.
ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
ALTER TABLE outbox ADD COLUMN claimed_until TEXT;

-- Platform credentials fetched by one instance and used by all (the WeChat access_token:
-- each fetch invalidates the previous token, so instances must not fetch their own).
CREATE TABLE shared_tokens (
    name        TEXT PRIMARY KEY,
    token       TEXT NOT NULL,
    expires_at  TEXT NOT NULL
);
