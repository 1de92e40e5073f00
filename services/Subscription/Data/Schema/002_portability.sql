-- A ported line's progress through number portability, as Signup reports it from the clearing house.
CREATE TABLE subscription_portability (
    subscription_id bigint      PRIMARY KEY,
    number          text        NOT NULL,
    donor_operator  text        NOT NULL,
    state           text        NOT NULL,
    reason          text,
    window_start    timestamptz,
    window_end      timestamptz,
    updated_at      timestamptz NOT NULL
);
