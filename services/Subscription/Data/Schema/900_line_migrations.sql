-- Subscription's part of each migration (Account's saga): moving the line, and its undoing. One row per migration, so a
-- repeated start does nothing twice and an undo that arrives before its start leaves a row that stops the start.
-- state: moved | refused | undone.
CREATE TABLE line_migrations (
    migration_id    bigint      PRIMARY KEY,
    subscription_id bigint      NOT NULL,
    from_account_id bigint      NOT NULL,
    to_account_id   bigint      NOT NULL,
    state           text        NOT NULL,
    updated_at      timestamptz NOT NULL DEFAULT now()
);
