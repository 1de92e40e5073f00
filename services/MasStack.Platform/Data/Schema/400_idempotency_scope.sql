-- An Idempotency-Key belongs to the client that sent it (X-Client-Id, '' when anonymous), and a replay repeats the
-- first answer whole: its ETag and content type too.
ALTER TABLE idempotency_keys ADD COLUMN client_id text NOT NULL DEFAULT '';
ALTER TABLE idempotency_keys ADD COLUMN etag text;
ALTER TABLE idempotency_keys ADD COLUMN content_type text;
ALTER TABLE idempotency_keys DROP CONSTRAINT idempotency_keys_pkey;
ALTER TABLE idempotency_keys ADD PRIMARY KEY (client_id, idempotency_key, route);
