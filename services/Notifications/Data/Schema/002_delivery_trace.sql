-- The trace of the event a delivery tells of (its W3C traceparent): the callback is posted in that trace, so a sale's
-- trace shows what the hub told its subscribers. Null for deliveries from before it.
ALTER TABLE hub_deliveries ADD COLUMN traceparent text;
