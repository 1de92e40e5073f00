-- The key the instances sign access tokens with: made by the first instance that starts on an empty database, read by
-- every other (the insert of the 'current' slot is first come, first kept), so a token one instance issued verifies
-- against the key set any instance publishes.
CREATE TABLE signing_keys (
    slot       text PRIMARY KEY,
    kid        text NOT NULL UNIQUE,
    rsa_pkcs8  bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
