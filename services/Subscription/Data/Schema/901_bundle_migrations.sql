-- Subscription's part of each bundle migration: the lines' product moves, and their undoing (state: changed | refused |
-- undone), one row per migration, as line_migrations.
CREATE TABLE bundle_migrations (
    migration_id bigint      PRIMARY KEY,
    account_id   bigint      NOT NULL,
    lines        jsonb       NOT NULL,
    state        text        NOT NULL,
    updated_at   timestamptz NOT NULL DEFAULT now()
);
