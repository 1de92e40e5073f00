-- Where SIMs and devices are shipped; a user without a row is shipped to their own address (ETag "0").
CREATE TABLE user_expeditions (
    user_id       bigint      PRIMARY KEY,
    address       jsonb       NOT NULL,
    contact_name  text        NOT NULL,
    contact_phone text        NOT NULL,
    notes         text,
    version       integer     NOT NULL,
    updated_at    timestamptz NOT NULL
);

-- The audit of user data: every change with who made it, when and why (conventions.md, "Audit").
CREATE TABLE user_changes (
    id         bigint      PRIMARY KEY,
    user_id    bigint      NOT NULL,
    resource   text        NOT NULL,
    changes    jsonb       NOT NULL,
    changed_by text        NOT NULL,
    reason     text,
    changed_at timestamptz NOT NULL
);
CREATE INDEX user_changes_user ON user_changes (user_id, changed_at DESC);

-- The login email of a TV line (Agile TV); null until the user changes it: the user's email is the login then.
ALTER TABLE tree_subscriptions ADD COLUMN agile_tv_email text;

-- Barring's changes may arrive out of order: the newest one wins.
ALTER TABLE tree_subscriptions ADD COLUMN barring_changed_at timestamptz;
