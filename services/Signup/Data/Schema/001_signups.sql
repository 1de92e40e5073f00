CREATE TABLE signups (
    id             bigint      PRIMARY KEY,
    user_id        bigint      NOT NULL,
    account_id     bigint      NOT NULL,
    channel        text        NOT NULL,
    payment_type   text        NOT NULL,
    bundle_code    text        NOT NULL,
    status         text        NOT NULL,
    failure_reason text,
    request        jsonb       NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX signups_pending ON signups (created_at) WHERE status = 'pending';

-- One row per confirmation the saga waits for: 'customer', 'account', and 'subscription:{id}' per line.
CREATE TABLE signup_steps (
    signup_id  bigint      NOT NULL REFERENCES signups (id),
    step       text        NOT NULL,
    state      text        NOT NULL DEFAULT 'pending',
    detail     text,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (signup_id, step)
);

CREATE TABLE signup_lines (
    subscription_id bigint PRIMARY KEY,
    signup_id       bigint NOT NULL REFERENCES signups (id),
    type            text   NOT NULL,
    product_code    text   NOT NULL,
    number_mode     text,
    number          text,
    iccid           text
);
CREATE INDEX signup_lines_signup ON signup_lines (signup_id);
