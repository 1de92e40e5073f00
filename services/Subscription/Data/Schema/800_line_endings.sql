-- Issue 10: every line can start (installation) and end (termination, port-out).

-- A number or SIM is held by at most one line that has not ended: terminated and ported-out lines free theirs too.
DROP INDEX subscriptions_live_number;
CREATE UNIQUE INDEX subscriptions_live_number ON subscriptions (number)
    WHERE number IS NOT NULL AND status NOT IN ('cancelled', 'moved', 'terminated', 'ported-out');
DROP INDEX subscriptions_live_iccid;
CREATE UNIQUE INDEX subscriptions_live_iccid ON subscriptions (iccid)
    WHERE iccid IS NOT NULL AND status NOT IN ('cancelled', 'moved', 'terminated', 'ported-out');
CREATE INDEX subscriptions_number ON subscriptions (number) WHERE number IS NOT NULL;
CREATE INDEX subscriptions_signup ON subscriptions (signup_id);

ALTER TABLE subscriptions ADD COLUMN ended_at timestamptz;

-- One installation visit order per line at a time: a new one only once the last has failed for good.
CREATE UNIQUE INDEX work_orders_one_installation ON work_orders (subscription_id)
    WHERE type = 'install' AND status IN ('pending', 'completed');

-- The document number of each user (from the sale): what a donor checks a postpaid port-out against.
CREATE TABLE user_documents (
    user_id         bigint PRIMARY KEY,
    document_number text   NOT NULL
);

-- A line's termination, asked for now or for a date; the termination worker carries it out on that date.
CREATE TABLE subscription_terminations (
    subscription_id  bigint        PRIMARY KEY REFERENCES subscriptions (id),
    motive_id        integer       NOT NULL,
    comment          text,
    requested_date   date          NOT NULL,
    requested_at     timestamptz   NOT NULL,
    state            text          NOT NULL, -- scheduled | completed | void
    reason           text,
    attempts         integer       NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz   NOT NULL DEFAULT now(),
    last_error       text,
    in_commitment    boolean,
    fee_amount       numeric(12,2),
    fee_currency     text,
    work_order_id    bigint,
    completed_at     timestamptz
);
CREATE INDEX subscription_terminations_due ON subscription_terminations (requested_date, next_attempt_at) WHERE state = 'scheduled';

-- Requests of other operators to port a number away from us (we are the donor), as the clearing house sends them.
CREATE TABLE port_outs (
    id                 bigint      PRIMARY KEY, -- the clearing house's request id
    subscription_id    bigint      REFERENCES subscriptions (id),
    number             text        NOT NULL,
    recipient_operator text        NOT NULL,
    state              text        NOT NULL, -- rejected | accepted | ported-out | cancelled
    reason             text,
    requested_at       timestamptz NOT NULL,
    window_start       timestamptz,
    window_end         timestamptz,
    updated_at         timestamptz NOT NULL
);
CREATE INDEX port_outs_subscription ON port_outs (subscription_id, requested_at DESC);
