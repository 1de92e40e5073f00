-- The version of the line's last move between accounts (a migration, or its undoing) this copy applied.
ALTER TABLE tree_subscriptions ADD COLUMN account_version bigint NOT NULL DEFAULT 0;

-- The account version of the last bundle change (a bundle migration) this copy applied.
ALTER TABLE tree_accounts ADD COLUMN bundle_version bigint NOT NULL DEFAULT 0;
