-- The version of the owner's event each copy holds: an older event arriving late changes nothing.
ALTER TABLE subscription_portability ADD COLUMN version bigint NOT NULL DEFAULT 0;
ALTER TABLE agile_tv_logins ADD COLUMN version bigint NOT NULL DEFAULT 0;
ALTER TABLE account_bundles ADD COLUMN version bigint NOT NULL DEFAULT 0;
