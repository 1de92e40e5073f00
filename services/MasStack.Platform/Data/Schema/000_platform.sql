-- Tables every service has beside its own: the outbox, the inbox and the idempotency records.
CREATE TABLE outbox_messages (
    id              bigserial PRIMARY KEY,
    message_id      uuid        NOT NULL UNIQUE,
    message_type    text        NOT NULL,
    body            jsonb       NOT NULL,
    headers         jsonb       NOT NULL DEFAULT '{}',
    created_at      timestamptz NOT NULL DEFAULT now(),
    attempts        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text,
    published_at    timestamptz
);
CREATE INDEX outbox_messages_pending ON outbox_messages (next_attempt_at, id) WHERE published_at IS NULL;

CREATE TABLE inbox_messages (
    consumer     text        NOT NULL,
    message_id   uuid        NOT NULL,
    processed_at timestamptz NOT NULL DEFAULT now(),
    deliveries   integer     NOT NULL DEFAULT 1, -- how often the broker delivered it; only the first had an effect
    PRIMARY KEY (consumer, message_id)
);

CREATE TABLE idempotency_keys (
    idempotency_key text        NOT NULL,
    route           text        NOT NULL,
    request_hash    bytea       NOT NULL,
    status_code     integer,
    response_body   text,
    location        text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (idempotency_key, route)
);
