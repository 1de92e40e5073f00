-- Inbox rows are keyed by each consumer's declared, stable name ([ConsumerName("signup-submitted")]) instead of its
-- class name (SignupSubmittedConsumer): rows written before the change are renamed, so a message processed before it
-- still has no second effect after it.
UPDATE inbox_messages
SET consumer = lower(regexp_replace(regexp_replace(consumer, 'Consumer$', ''), '([a-z0-9])([A-Z])', '\1-\2', 'g'))
WHERE consumer ~ '^[A-Z][A-Za-z0-9]*Consumer$';
