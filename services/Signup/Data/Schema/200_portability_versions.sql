-- A portability request's version: 1 when requested, one more with each move, carried by PortabilityChanged so that
-- Subscription's copy applies the moves in order (several moves announced together share one timestamp).
ALTER TABLE portability_requests ADD COLUMN version bigint NOT NULL DEFAULT 1;
