-- The masked bank account follows Billing's payment info (PaymentInfoChanged): the time of the change applied last, so
-- that an older change arriving late does not undo a newer one.
ALTER TABLE users ADD COLUMN bank_account_changed_at timestamptz;
