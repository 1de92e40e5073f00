-- An account opened by a migration (no sale): removed again if the migration fails.
ALTER TABLE billing_accounts ADD COLUMN migration_id bigint;
