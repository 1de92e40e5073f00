-- A SIM reported lost or stolen is blocked in stock (Barring's SubscriptionBarringChanged); unblocked, it returns to the
-- state it had. The version of the line's barring profile last applied: an older change arriving late changes nothing.
ALTER TABLE sim_cards ADD COLUMN blocked_from_state text;
CREATE TABLE line_sim_blocks (
    subscription_id bigint      PRIMARY KEY,
    version         bigint      NOT NULL,
    updated_at      timestamptz NOT NULL DEFAULT now()
);
