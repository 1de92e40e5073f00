-- Number stock: the blocks of numbers assigned to our networks, and every number taken out of them. A number not in
-- `numbers` is free unless a reservation holds it (in Redis, with expiry).
CREATE TABLE number_ranges (
    network      text   NOT NULL,
    type         text   NOT NULL, -- mobile | fixed
    first_number bigint NOT NULL, -- national significant number, 622000000
    last_number  bigint NOT NULL,
    PRIMARY KEY (first_number)
);

CREATE TABLE numbers (
    msisdn          text        PRIMARY KEY, -- E.164
    network         text        NOT NULL,
    state           text        NOT NULL,    -- assigned | active
    signup_id       bigint      NOT NULL,
    subscription_id bigint      NOT NULL,
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX numbers_signup ON numbers (signup_id);
CREATE INDEX numbers_subscription ON numbers (subscription_id);

-- SIM stock.
CREATE TABLE sim_cards (
    iccid           text        PRIMARY KEY,
    network         text        NOT NULL,
    state           text        NOT NULL DEFAULT 'available', -- available | assigned | active | replaced | blocked
    signup_id       bigint,
    subscription_id bigint,
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sim_cards_state ON sim_cards (network, state, iccid);
CREATE INDEX sim_cards_subscription ON sim_cards (subscription_id);

-- Which user a document number belongs to. Users are born only from sales, so Signup claims the document in the
-- sale's own transaction: two concurrent sales for one new document end up with one user.
CREATE TABLE document_users (
    document_number text        PRIMARY KEY,
    user_id         bigint      NOT NULL,
    signup_id       bigint      NOT NULL, -- the sale that created the user
    created_at      timestamptz NOT NULL DEFAULT now()
);

-- A "signup" is a sale (new user or not, new account) or one line added to an existing account.
ALTER TABLE signups ADD COLUMN kind text NOT NULL DEFAULT 'sale';
ALTER TABLE signups ADD COLUMN document_number text;
ALTER TABLE signups ADD COLUMN remove_user boolean; -- decided when a sale fails: whether its user goes with it
CREATE INDEX signups_user ON signups (user_id);
ALTER TABLE signup_lines ADD COLUMN network text;
ALTER TABLE signup_lines ADD COLUMN donor_operator text;
ALTER TABLE signup_lines ADD COLUMN donor_iccid text;

CREATE TABLE sale_payments (
    id         bigint        PRIMARY KEY,
    signup_id  bigint        NOT NULL REFERENCES signups (id),
    amount     numeric(12,2) NOT NULL,
    currency   text          NOT NULL,
    method     text          NOT NULL,
    reference  text,
    paid_at    timestamptz   NOT NULL
);
CREATE INDEX sale_payments_signup ON sale_payments (signup_id);

-- Number portability requests sent to the national clearing house, one per ported line.
CREATE TABLE portability_requests (
    subscription_id bigint      PRIMARY KEY,
    signup_id       bigint      NOT NULL,
    number          text        NOT NULL,
    donor_operator  text        NOT NULL,
    document_number text        NOT NULL,
    donor_iccid     text,
    iccid           text,
    state           text        NOT NULL DEFAULT 'requested',
    reason          text,
    window_start    timestamptz,
    window_end      timestamptz,
    submitted       boolean     NOT NULL DEFAULT false,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX portability_open ON portability_requests (updated_at) WHERE state NOT IN ('ported', 'rejected', 'cancelled');
CREATE UNIQUE INDEX portability_live_number ON portability_requests (number) WHERE state NOT IN ('ported', 'rejected', 'cancelled');

-- The blocks our networks hold (national numbers). Real blocks are assigned by the regulator in thousands or more.
INSERT INTO number_ranges (network, type, first_number, last_number) VALUES
    ('masmovil',       'mobile', 622000000, 622999999),
    ('masmovil',       'mobile', 711000000, 711999999),
    ('yoigo',          'mobile', 633000000, 633999999),
    ('masmovil-fixed', 'fixed',  910000000, 910999999),
    ('masmovil-fixed', 'fixed',  930000000, 930999999);
