-- What a line carries beyond its sale: its dates, why it was cancelled, and the SIM-swap hold.
ALTER TABLE subscriptions
    ADD COLUMN activated_at           timestamptz,
    ADD COLUMN cancelled_at           timestamptz,
    ADD COLUMN cancellation_motive_id integer,
    ADD COLUMN cancellation_comment   text,
    ADD COLUMN status_reason          text,
    ADD COLUMN last_sim_change_at     timestamptz,
    ADD COLUMN sim_hold_until         timestamptz;
CREATE INDEX subscriptions_iccid ON subscriptions (iccid) WHERE iccid IS NOT NULL;

-- The bundle of each account, from the sale (SignupSubmitted) or AccountOpened: which products a line may move to.
CREATE TABLE account_bundles (
    account_id   bigint      PRIMARY KEY,
    user_id      bigint      NOT NULL,
    payment_type text        NOT NULL,
    bundle_code  text        NOT NULL,
    updated_at   timestamptz NOT NULL DEFAULT now()
);

-- Every SIM swap, audited: who held which SIM, why, and how the customer's identity was checked.
CREATE TABLE sim_swaps (
    id             bigint      PRIMARY KEY,
    subscription_id bigint     NOT NULL REFERENCES subscriptions (id),
    old_iccid      text        NOT NULL,
    new_iccid      text        NOT NULL,
    network        text        NOT NULL,
    reason         text        NOT NULL,
    identity_check text        NOT NULL,
    correlator     text,
    swapped_at     timestamptz NOT NULL,
    hold_until     timestamptz NOT NULL
);
CREATE INDEX sim_swaps_subscription ON sim_swaps (subscription_id, swapped_at DESC);
-- A replaced SIM never comes back into service.
CREATE UNIQUE INDEX sim_swaps_old_iccid ON sim_swaps (old_iccid);

-- Only the services a client switched; the others are as the catalogue's onByDefault says.
CREATE TABLE subscription_services (
    subscription_id bigint      NOT NULL REFERENCES subscriptions (id),
    service_code    text        NOT NULL,
    enabled         boolean     NOT NULL,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (subscription_id, service_code)
);

-- Bonuses and promotions of the catalogue on a line, with their validity (dates inclusive).
CREATE TABLE subscription_offers (
    id              bigint      PRIMARY KEY,
    subscription_id bigint      NOT NULL REFERENCES subscriptions (id),
    kind            text        NOT NULL,
    code            text        NOT NULL,
    start_date      date        NOT NULL,
    end_date        date        NOT NULL,
    added_at        timestamptz NOT NULL,
    removed_at      timestamptz
);
CREATE INDEX subscription_offers_subscription ON subscription_offers (subscription_id, kind) WHERE removed_at IS NULL;

-- Change orders for the network, sent asynchronously with retries (WorkOrderDispatcher).
CREATE TABLE work_orders (
    id                bigint      PRIMARY KEY,
    subscription_id   bigint      NOT NULL REFERENCES subscriptions (id),
    type              text        NOT NULL,
    parameters        jsonb       NOT NULL DEFAULT '{}',
    status            text        NOT NULL,
    attempts          integer     NOT NULL DEFAULT 0,
    next_attempt_at   timestamptz NOT NULL DEFAULT now(),
    last_error        text,
    network_reference text,
    network_answer    text,
    created_at        timestamptz NOT NULL,
    finished_at       timestamptz
);
CREATE INDEX work_orders_due ON work_orders (next_attempt_at, id) WHERE status = 'pending';
CREATE INDEX work_orders_subscription ON work_orders (subscription_id);
