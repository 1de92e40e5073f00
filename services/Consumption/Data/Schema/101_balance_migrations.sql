-- Consumption's part of each migration that changes a line's payment type, one row per migration: the balance closed
-- (prepaid to postpaid; amount is what was left on it) or opened (postpaid to prepaid), and its undoing. state: done |
-- refused | undone. A row written by the undo before the step ran stops the step from ever running.
CREATE TABLE balance_migrations (
    migration_id    bigint        PRIMARY KEY,
    subscription_id bigint        NOT NULL,
    change          text,
    amount          numeric(12,2),
    state           text          NOT NULL,
    updated_at      timestamptz   NOT NULL DEFAULT now()
);
