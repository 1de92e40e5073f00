-- Why the line is barred, as Barring last announced it (its barring profile's version): a line barred for debt or fraud
-- cannot migrate, one barred for another reason can. NULL: not heard from Barring since the reasons were carried.
ALTER TABLE account_subscriptions ADD COLUMN barring_reasons text[];
ALTER TABLE account_subscriptions ADD COLUMN barring_version bigint NOT NULL DEFAULT 0;
