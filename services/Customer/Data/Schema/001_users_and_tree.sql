CREATE TABLE users (
    id                  bigint      PRIMARY KEY,
    document_type       text        NOT NULL,
    document_number     text        NOT NULL,
    first_name          text        NOT NULL,
    last_name           text        NOT NULL,
    email               text        NOT NULL,
    phone               text        NOT NULL,
    birth_date          date        NOT NULL,
    address             jsonb       NOT NULL,
    bank_account_masked text,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    version             integer     NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX users_document ON users (document_number);
CREATE UNIQUE INDEX users_email ON users (email);

-- The customer tree's read model, fed by Account's and Subscription's events (never read from their databases).
CREATE TABLE tree_accounts (
    account_id   bigint      PRIMARY KEY,
    user_id      bigint      NOT NULL,
    status       text        NOT NULL,
    payment_type text        NOT NULL,
    bundle_code  text        NOT NULL,
    opened_at    timestamptz NOT NULL
);
CREATE INDEX tree_accounts_user ON tree_accounts (user_id);

CREATE TABLE tree_subscriptions (
    subscription_id bigint      PRIMARY KEY,
    account_id      bigint      NOT NULL,
    user_id         bigint      NOT NULL,
    type            text        NOT NULL,
    number          text,
    product_code    text        NOT NULL,
    status          text        NOT NULL,
    barred          boolean     NOT NULL DEFAULT false,
    created_at      timestamptz NOT NULL
);
CREATE INDEX tree_subscriptions_user ON tree_subscriptions (user_id);
CREATE INDEX tree_subscriptions_number ON tree_subscriptions (number) WHERE number IS NOT NULL;
