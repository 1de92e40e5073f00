-- The version of the owner's event that last set each part of a copy: an older event arriving late changes nothing.
ALTER TABLE tree_accounts ADD COLUMN version bigint NOT NULL DEFAULT 0;
ALTER TABLE tree_subscriptions
    ADD COLUMN status_version  bigint NOT NULL DEFAULT 0,
    ADD COLUMN product_version bigint NOT NULL DEFAULT 0,
    ADD COLUMN barring_version bigint NOT NULL DEFAULT 0;


-- The Agile TV login of a line is Customer's own: its version, one more with each change, goes with AgileTvEmailChanged.
ALTER TABLE tree_subscriptions ADD COLUMN agile_tv_version bigint NOT NULL DEFAULT 0;
