-- Consumption's copy of each line's tariff (from the sale and Subscription's events) with its prepaid balance and its
-- spending cap. version: the newest of Subscription's events applied; balance_version: the balance's events
-- (PrepaidBalanceOpened, BalanceRecharged); limit_version: the limit state's events (warned, reached, cleared), which
-- Barring applies in order. payment_type is null until the sale's event says it (the catalogue's product decides meanwhile).
CREATE TABLE consumption_lines (
    subscription_id      bigint        PRIMARY KEY,
    account_id           bigint        NOT NULL DEFAULT 0,
    user_id              bigint        NOT NULL DEFAULT 0,
    signup_id            bigint,
    number               text,
    product_code         text          NOT NULL,
    payment_type         text,
    status               text          NOT NULL DEFAULT 'pending-activation',
    status_version       bigint        NOT NULL DEFAULT 0,
    version              bigint        NOT NULL DEFAULT 0,
    balance              numeric(12,2),
    balance_version      bigint        NOT NULL DEFAULT 0,
    limit_amount         numeric(12,2),
    limit_version        bigint        NOT NULL DEFAULT 0,
    limit_reached_period text,
    limit_warned_period  text,
    created_at           timestamptz   NOT NULL DEFAULT now()
);
CREATE INDEX consumption_lines_number ON consumption_lines (number);

-- Bonuses of a line (Subscription's offer events): each adds its allowances on the days it is valid.
CREATE TABLE line_bonuses (
    offer_id        bigint  PRIMARY KEY,
    subscription_id bigint  NOT NULL,
    code            text    NOT NULL,
    start_date      date    NOT NULL,
    end_date        date    NOT NULL,
    data_mb         bigint,
    voice_minutes   integer,
    sms             integer,
    removed         boolean NOT NULL DEFAULT false
);
CREATE INDEX line_bonuses_line ON line_bonuses (subscription_id);

-- Every rated record, once by its id (the network's): how much came from the allowance, how much was charged and for what,
-- and the part the balance or the cap could not pay (refused).
CREATE TABLE usage_records (
    record_id          text          PRIMARY KEY,
    subscription_id    bigint        NOT NULL,
    type               text          NOT NULL,
    destination        text          NOT NULL,
    started_at         timestamptz   NOT NULL,
    quantity           bigint        NOT NULL,
    period             text          NOT NULL,
    allowance_quantity bigint        NOT NULL,
    charged_quantity   bigint        NOT NULL,
    charge             numeric(12,2) NOT NULL,
    refused_quantity   bigint        NOT NULL,
    refused_amount     numeric(12,2) NOT NULL,
    rated_at           timestamptz   NOT NULL
);
CREATE INDEX usage_records_line ON usage_records (subscription_id, started_at);

-- How much of each allowance a line used in a month (seconds, messages, bytes).
CREATE TABLE allowance_use (
    subscription_id bigint NOT NULL,
    period          text   NOT NULL,
    type            text   NOT NULL,
    used            bigint NOT NULL,
    PRIMARY KEY (subscription_id, period, type)
);

-- A line's month: what was charged beyond allowances (the spending the cap counts and Billing invoices), and the version of
-- its UsageCharged events; usage_charges splits it by type and destination.
CREATE TABLE usage_months (
    subscription_id bigint        NOT NULL,
    period          text          NOT NULL,
    spent           numeric(12,2) NOT NULL DEFAULT 0,
    version         bigint        NOT NULL DEFAULT 0,
    PRIMARY KEY (subscription_id, period)
);

CREATE TABLE usage_charges (
    subscription_id bigint        NOT NULL,
    period          text          NOT NULL,
    type            text          NOT NULL,
    destination     text          NOT NULL,
    quantity        bigint        NOT NULL,
    amount          numeric(12,2) NOT NULL,
    PRIMARY KEY (subscription_id, period, type, destination)
);

CREATE TABLE recharges (
    recharge_id     bigint        PRIMARY KEY,
    subscription_id bigint        NOT NULL,
    amount          numeric(12,2) NOT NULL,
    method          text          NOT NULL,
    balance_after   numeric(12,2) NOT NULL,
    recharged_by    text          NOT NULL,
    recharged_at    timestamptz   NOT NULL
);
CREATE INDEX recharges_line ON recharges (subscription_id, recharged_at);
