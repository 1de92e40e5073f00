CREATE TABLE subscriptions (
    id           bigint      PRIMARY KEY,
    account_id   bigint      NOT NULL,
    user_id      bigint      NOT NULL,
    signup_id    bigint,
    type         text        NOT NULL,
    number_mode  text,
    number       text,
    iccid        text,
    product_code text        NOT NULL,
    status       text        NOT NULL,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX subscriptions_account ON subscriptions (account_id);
-- A number belongs to at most one line that is not cancelled or moved away.
CREATE UNIQUE INDEX subscriptions_live_number ON subscriptions (number) WHERE number IS NOT NULL AND status NOT IN ('cancelled', 'moved');
