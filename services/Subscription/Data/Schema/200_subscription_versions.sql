-- A line's version: 1 when created, one more with each change, carried by every event about the line so that the
-- copies other services keep apply its events in order.
ALTER TABLE subscriptions ADD COLUMN version bigint NOT NULL DEFAULT 1;
