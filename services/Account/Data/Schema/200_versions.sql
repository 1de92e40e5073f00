-- An account's version: 1 when opened, one more with each change, carried by its events.
ALTER TABLE accounts ADD COLUMN version bigint NOT NULL DEFAULT 1;

-- The version of the line's event that last set its status: an older event arriving late changes nothing.
ALTER TABLE account_subscriptions ADD COLUMN status_version bigint NOT NULL DEFAULT 0;

