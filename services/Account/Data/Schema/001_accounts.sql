CREATE TABLE accounts (
    id           bigint      PRIMARY KEY,
    user_id      bigint      NOT NULL,
    signup_id    bigint,
    status       text        NOT NULL,
    payment_type text        NOT NULL,
    bundle_code  text        NOT NULL,
    billing_day  integer     NOT NULL,
    opened_at    timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX accounts_user ON accounts (user_id);
