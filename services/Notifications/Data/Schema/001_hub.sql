-- TMF630 hub registrations: a client's callback, its query (event types and attribute filters), its signing secret, and
-- the state the client sees (active, or suspended with why and when).
CREATE TABLE hub_registrations (
    id              uuid        PRIMARY KEY,
    owner           text        NOT NULL,
    callback        text        NOT NULL,
    query           text        NOT NULL,
    event_types     text        NOT NULL,
    filters         jsonb       NOT NULL,
    secret          text        NOT NULL,
    state           text        NOT NULL DEFAULT 'active',
    suspended_reason text,
    suspended_at    timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now()
);

-- One delivery per event and matching registration, inserted in the transaction that consumed the event. The dispatcher
-- claims due rows (FOR UPDATE SKIP LOCKED, a lease in leased_until), posts them outside the transaction and records the result.
-- Only the earliest undelivered row per (registration, subject) is due, by the event's version in its stream (events may be
-- consumed out of order), then by arrival: one callback hears about one line's changes in the order they happened.
CREATE TABLE hub_deliveries (
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    registration_id uuid        NOT NULL REFERENCES hub_registrations (id) ON DELETE CASCADE,
    event_id        uuid        NOT NULL,
    subject         text        NOT NULL,
    version         bigint      NOT NULL DEFAULT 0,
    body            text        NOT NULL,
    status          text        NOT NULL DEFAULT 'pending',
    attempts        int         NOT NULL DEFAULT 0,
    due_at          timestamptz NOT NULL DEFAULT now(),
    leased_until    timestamptz,
    first_attempt_at timestamptz,
    last_error      text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    delivered_at    timestamptz,
    UNIQUE (registration_id, event_id)
);
CREATE INDEX hub_deliveries_pending ON hub_deliveries (registration_id, subject, version, id) WHERE status = 'pending';
