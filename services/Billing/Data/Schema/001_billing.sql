-- Billing's own copy of what it invoices, kept from other services' events (every fact dated, applied in any order).

-- Accounts, from the sale: payment type, the postal code that decides the tax.
CREATE TABLE billing_accounts (
    account_id   bigint      PRIMARY KEY,
    user_id      bigint      NOT NULL,
    signup_id    bigint,
    payment_type text        NOT NULL,
    bundle_code  text        NOT NULL,
    postal_code  text        NOT NULL,
    created_at   timestamptz NOT NULL
);

-- A postpaid account's payment info: the only place the full IBAN is kept. version is the ETag.
CREATE TABLE payment_info (
    account_id bigint      PRIMARY KEY REFERENCES billing_accounts (account_id) ON DELETE CASCADE,
    method     text        NOT NULL,
    holder     text        NOT NULL,
    iban       text        NOT NULL,
    version    int         NOT NULL,
    updated_at timestamptz NOT NULL,
    updated_by text        NOT NULL
);

-- Every change of payment info, who made it, when and why; the IBAN masked.
CREATE TABLE payment_info_history (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id  bigint      NOT NULL REFERENCES billing_accounts (account_id) ON DELETE CASCADE,
    version     int         NOT NULL,
    method      text        NOT NULL,
    holder      text        NOT NULL,
    iban_masked text        NOT NULL,
    changed_by  text        NOT NULL,
    why         text,
    changed_at  timestamptz NOT NULL
);
CREATE INDEX payment_info_history_account ON payment_info_history (account_id, id DESC);

-- Lines: the product they were created with, the day they became active (the earliest activation seen) and the day they
-- ended (terminated, ported out, cancelled, moved), the early-termination fee when one was charged. status follows
-- status_version (newest wins); the dates are kept whatever order their events arrive in.
CREATE TABLE billing_lines (
    subscription_id       bigint      PRIMARY KEY,
    account_id            bigint      NOT NULL,
    signup_id             bigint,
    type                  text        NOT NULL,
    number                text,
    product_code          text        NOT NULL,
    status                text        NOT NULL,
    status_version        bigint      NOT NULL DEFAULT 0,
    activated_on          date,
    ended_on              date,
    early_termination_fee numeric(12, 2),
    created_at            timestamptz NOT NULL
);
CREATE INDEX billing_lines_account ON billing_lines (account_id);

-- Product changes, dated: the new product is billed from the day after the change.
CREATE TABLE line_product_changes (
    subscription_id bigint      NOT NULL,
    changed_at      timestamptz NOT NULL,
    changed_on      date        NOT NULL,
    product_code    text        NOT NULL,
    PRIMARY KEY (subscription_id, changed_at, product_code)
);

-- Bonuses and promotions of lines, with their dates (start and end null until the addition has arrived).
CREATE TABLE line_offers (
    offer_id        bigint PRIMARY KEY,
    subscription_id bigint NOT NULL,
    kind            text   NOT NULL,
    code            text   NOT NULL,
    start_date      date,
    end_date        date,
    removed_on      date
);
CREATE INDEX line_offers_line ON line_offers (subscription_id);

-- Usage charged beyond allowance per line and month, Consumption's running total (the highest version wins).
CREATE TABLE usage_charges (
    subscription_id bigint        NOT NULL,
    period          text          NOT NULL,
    account_id      bigint        NOT NULL,
    total           numeric(12, 2) NOT NULL,
    version         bigint        NOT NULL,
    PRIMARY KEY (subscription_id, period)
);

-- Billing runs: one running run per period at most; each account to invoice claimed with a lease and done once.
CREATE TABLE billing_runs (
    id           bigint      PRIMARY KEY,
    period       text        NOT NULL,
    status       text        NOT NULL,
    requested_by text        NOT NULL,
    created_at   timestamptz NOT NULL,
    finished_at  timestamptz
);
CREATE UNIQUE INDEX billing_runs_one_running ON billing_runs (period) WHERE status = 'running';

-- state: pending, invoiced, already-invoiced, failed.
CREATE TABLE billing_run_accounts (
    run_id        bigint NOT NULL REFERENCES billing_runs (id),
    account_id    bigint NOT NULL,
    state         text   NOT NULL,
    claimed_until timestamptz,
    invoice_id    bigint,
    detail        text,
    PRIMARY KEY (run_id, account_id)
);
CREATE INDEX billing_run_accounts_pending ON billing_run_accounts (run_id, account_id) WHERE state = 'pending';

-- The counter of each invoice series and year, locked by the transaction that issues invoices: numbers without gaps.
CREATE TABLE invoice_series (
    series      text NOT NULL,
    year        int  NOT NULL,
    last_number int  NOT NULL,
    PRIMARY KEY (series, year)
);

CREATE TABLE invoices (
    id          bigint         PRIMARY KEY,
    account_id  bigint         NOT NULL,
    user_id     bigint         NOT NULL,
    period      text           NOT NULL,
    series      text           NOT NULL,
    year        int            NOT NULL,
    sequence    int            NOT NULL,
    number      text           NOT NULL UNIQUE,
    issued_on   date           NOT NULL,
    issued_at   timestamptz    NOT NULL,
    postal_code text           NOT NULL,
    tax_name    text           NOT NULL,
    tax_rate    numeric(5, 2)  NOT NULL,
    taxable     numeric(12, 2) NOT NULL,
    tax         numeric(12, 2) NOT NULL,
    total       numeric(12, 2) NOT NULL,
    run_id      bigint,
    UNIQUE (account_id, period),
    UNIQUE (series, year, sequence)
);
CREATE INDEX invoices_account ON invoices (account_id, issued_at DESC, id DESC);

CREATE TABLE invoice_lines (
    invoice_id      bigint         NOT NULL REFERENCES invoices (id) ON DELETE CASCADE,
    position        int            NOT NULL,
    kind            text           NOT NULL,
    subscription_id bigint,
    code            text,
    description     text           NOT NULL,
    from_date       date,
    to_date         date,
    days            int,
    amount          numeric(12, 2) NOT NULL,
    PRIMARY KEY (invoice_id, position)
);
