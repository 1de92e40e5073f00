-- Copies of other services' aggregates that this service removed on purpose (a failed sale undone): events about
-- them that arrive later are confirmed without effect instead of retried as "not known yet".
CREATE TABLE removed_copies (
    aggregate  text        NOT NULL,
    id         bigint      NOT NULL,
    removed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (aggregate, id)
);
