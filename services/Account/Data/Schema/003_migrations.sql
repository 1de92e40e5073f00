-- Migrations Account orchestrates (a saga): one line to another account of its user. steps: {step: pending|completed|failed}.
CREATE TABLE migrations (
    id                bigint      PRIMARY KEY,
    kind              text        NOT NULL,
    subscription_id   bigint      NOT NULL,
    user_id           bigint      NOT NULL,
    source_account_id bigint      NOT NULL,
    target_account_id bigint      NOT NULL,
    new_account       boolean     NOT NULL,
    status            text        NOT NULL DEFAULT 'pending',
    reason            text,
    steps             jsonb       NOT NULL,
    deadline          timestamptz NOT NULL,
    created_at        timestamptz NOT NULL,
    ended_at          timestamptz
);
CREATE INDEX migrations_pending_deadline ON migrations (deadline) WHERE status = 'pending';
CREATE INDEX migrations_subscription ON migrations (subscription_id, created_at DESC);

-- One migration at a time per line and per account (source or target): a pending migration holds a row per key
-- ('line:{id}', 'account:{id}') until it ends; of two concurrent requests for one key, the database lets one in.
CREATE TABLE migration_locks (
    key          text   PRIMARY KEY,
    migration_id bigint NOT NULL REFERENCES migrations (id) ON DELETE CASCADE
);

-- An account opened by a migration (no sale): removed again if the migration fails.
ALTER TABLE accounts ADD COLUMN migration_id bigint;

-- The version of the line's last move between accounts that this copy applied.
ALTER TABLE account_subscriptions ADD COLUMN account_version bigint NOT NULL DEFAULT 0;
