-- The barred types of each line and its SIM's status, as Barring announces them.
ALTER TABLE tree_subscriptions
    ADD COLUMN barrings   text[] NOT NULL DEFAULT '{}',
    ADD COLUMN sim_status text   NOT NULL DEFAULT 'unblocked';
