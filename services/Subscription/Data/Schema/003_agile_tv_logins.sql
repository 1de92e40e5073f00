-- The Agile TV login email of a TV line, as Customer announces it (AgileTvEmailChanged); none until the customer changes it.
CREATE TABLE agile_tv_logins (
    subscription_id bigint      PRIMARY KEY,
    email           text        NOT NULL,
    changed_at      timestamptz NOT NULL
);
