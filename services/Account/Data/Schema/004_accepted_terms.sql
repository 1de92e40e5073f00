-- The terms the customer accepted (AcceptedTerms: bundle, terms version, commitment, early-termination fee) and when:
-- frozen at the sale, or at the migration that opened the account, whatever the catalogue says later. Null for accounts
-- opened before terms were kept: their terms are read from today's catalogue, as they always were.
ALTER TABLE accounts ADD COLUMN terms jsonb;
ALTER TABLE accounts ADD COLUMN terms_accepted_at timestamptz;
