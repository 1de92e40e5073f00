-- A port cancelled on our side is a command to the clearing house, sent until the clearing house answers it; this
-- records that answer. Cancellations from before were told once, at best: they count as answered.
ALTER TABLE portability_requests ADD COLUMN cancellation_confirmed_at timestamptz;
UPDATE portability_requests SET cancellation_confirmed_at = updated_at WHERE state = 'cancelled';
