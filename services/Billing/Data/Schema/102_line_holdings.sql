-- Every move of a line between accounts (a migration, or its undoing), dated: the leaving account is charged the line up
-- to the day of the move, the target from the day after (as a product change's day is billed at the product the day
-- began with). A failed migration's moves are removed, so that every charge is as it was.
CREATE TABLE line_account_moves (
    subscription_id bigint      NOT NULL,
    version         bigint      NOT NULL,
    migration_id    bigint      NOT NULL,
    from_account_id bigint      NOT NULL,
    to_account_id   bigint      NOT NULL,
    moved_on        date        NOT NULL,
    moved_at        timestamptz NOT NULL,
    PRIMARY KEY (subscription_id, version)
);
CREATE INDEX line_account_moves_from ON line_account_moves (from_account_id, moved_on);
CREATE INDEX line_account_moves_to ON line_account_moves (to_account_id, moved_on);
CREATE INDEX line_account_moves_migration ON line_account_moves (migration_id);

-- Each migration Billing has heard of: live, or failed (then nothing of it is recorded any more). The row is the lock
-- that orders recording a migration's effects against undoing them.
CREATE TABLE billing_migrations (
    migration_id bigint PRIMARY KEY,
    state        text   NOT NULL
);

-- What was left on a prepaid balance closed by a migration to postpaid, credited to the target account on its invoice of
-- the period of credited_on (a line of its own after the tax: the balance was paid with its tax already).
CREATE TABLE account_credits (
    migration_id    bigint         PRIMARY KEY,
    account_id      bigint         NOT NULL,
    subscription_id bigint         NOT NULL,
    credited_on     date           NOT NULL,
    amount          numeric(12, 2) NOT NULL
);
CREATE INDEX account_credits_account ON account_credits (account_id, credited_on);
