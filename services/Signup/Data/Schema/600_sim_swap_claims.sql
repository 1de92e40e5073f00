-- A SIM swap claims the new SIM here, before Subscription changes the line; if the line cannot change, the claim is
-- released. The old SIM's state before it was replaced is kept to restore it, and the claiming attempt's id to
-- release only the claim that attempt made (a repeat of the same swap takes the claim over).
ALTER TABLE sim_cards
    ADD COLUMN replaced_from_state text,
    ADD COLUMN swap_claim_id       bigint;
