-- The lines Barring may bar, copied from Subscription's events, each with its barring profile: its version (the ETag,
-- and the version of SubscriptionBarringChanged), the SIM block if there is one, and the version of the consumption
-- limit's last event applied.
CREATE TABLE barring_lines (
    subscription_id   bigint      PRIMARY KEY,
    account_id        bigint      NOT NULL,
    user_id           bigint      NOT NULL,
    signup_id         bigint,
    type              text        NOT NULL,
    status            text        NOT NULL,
    status_version    bigint      NOT NULL DEFAULT 0,
    version           bigint      NOT NULL DEFAULT 1,
    sim_block_reason  text,
    sim_blocked_since timestamptz,
    sim_blocked_by    text,
    limit_version     bigint      NOT NULL DEFAULT 0,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL DEFAULT now()
);

-- Active barrings: one entry per type, source and reason, so that sources (and the consumption limit) never undo each other.
CREATE TABLE barrings (
    subscription_id bigint      NOT NULL REFERENCES barring_lines (subscription_id) ON DELETE CASCADE,
    type            text        NOT NULL,
    source          text        NOT NULL,
    reason          text        NOT NULL,
    since           timestamptz NOT NULL,
    barred_by       text        NOT NULL,
    PRIMARY KEY (subscription_id, type, source, reason)
);

-- Every change, who made it, when and why: set, lift, block, unblock.
CREATE TABLE barring_history (
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    subscription_id bigint      NOT NULL REFERENCES barring_lines (subscription_id) ON DELETE CASCADE,
    version         bigint      NOT NULL,
    action          text        NOT NULL,
    type            text,
    source          text        NOT NULL,
    reason          text        NOT NULL,
    changed_by      text        NOT NULL,
    why             text,
    changed_at      timestamptz NOT NULL
);
CREATE INDEX barring_history_line ON barring_history (subscription_id, id DESC);
