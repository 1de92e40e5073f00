-- Issue 10: a terminated line's number rests in quarantine before it is sold again; a ported-out number leaves our stock
-- (the row stays, state 'ported-out', so that it is never offered); an ended line's SIM is 'deactivated'.
ALTER TABLE numbers ADD COLUMN quarantined_until timestamptz;
