-- An account opened by a migration (no sale): removed again if the migration fails.
ALTER TABLE billing_accounts ADD COLUMN migration_id bigint;

-- The account version of the last bundle change (a bundle migration) this copy applied.
ALTER TABLE billing_accounts ADD COLUMN bundle_version bigint NOT NULL DEFAULT 0;
