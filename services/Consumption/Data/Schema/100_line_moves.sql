-- The version of the line's last move between accounts (a migration, or its undoing) this copy applied.
ALTER TABLE consumption_lines ADD COLUMN account_version bigint NOT NULL DEFAULT 0;
