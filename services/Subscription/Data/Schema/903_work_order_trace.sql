-- The trace that ordered the work (its W3C traceparent): the dispatcher's sending of the order, and the events its outcome
-- causes, continue that trace, so a sale's line activation is part of the sale's trace. Null for orders from before it.
ALTER TABLE work_orders ADD COLUMN traceparent text;
