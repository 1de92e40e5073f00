-- A failed migration keeps its line and accounts (its migration_locks rows) until every participant that may have acted
-- has confirmed its undo: undo {step: pending|undone|timed-out}, undo_pending while one is awaited, undo_deadline when
-- the wait gives up (then the locks go and the steps not heard from show timed-out). faults: the test-only fault switch
-- the migration started with, passed on to the undo.
ALTER TABLE migrations ADD COLUMN undo jsonb;
ALTER TABLE migrations ADD COLUMN undo_pending boolean NOT NULL DEFAULT false;
ALTER TABLE migrations ADD COLUMN undo_deadline timestamptz;
ALTER TABLE migrations ADD COLUMN faults text;
CREATE INDEX migrations_undo_deadline ON migrations (undo_deadline) WHERE undo_pending;
