-- The lines of each account as Subscription announces them: what an account holds, for its view, its bundle
-- rules and its migrations.
CREATE TABLE account_subscriptions (
    subscription_id bigint      PRIMARY KEY,
    account_id      bigint      NOT NULL,
    type            text        NOT NULL,
    product_code    text        NOT NULL,
    status          text        NOT NULL,
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX account_subscriptions_account ON account_subscriptions (account_id);
