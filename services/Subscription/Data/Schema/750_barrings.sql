-- The line's barrings as Barring announces them (SubscriptionBarringChanged): barred or not, from which types, the SIM's
-- status and why it is blocked, and the version of the barring profile they come from (an older change arriving late
-- changes nothing).
ALTER TABLE subscriptions
    ADD COLUMN barred           boolean NOT NULL DEFAULT false,
    ADD COLUMN barrings         text[]  NOT NULL DEFAULT '{}',
    ADD COLUMN sim_status       text    NOT NULL DEFAULT 'unblocked',
    ADD COLUMN sim_block_reason text,
    ADD COLUMN barring_version  bigint  NOT NULL DEFAULT 0;
