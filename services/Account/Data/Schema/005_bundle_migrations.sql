-- Bundle migrations share the migrations table: no single line (subscription_id null), the bundle and the terms accepted
-- with it (applied to the account when it completes), and each line's product move.
ALTER TABLE migrations ALTER COLUMN subscription_id DROP NOT NULL;
ALTER TABLE migrations ADD COLUMN to_bundle_code text;
ALTER TABLE migrations ADD COLUMN terms jsonb;
