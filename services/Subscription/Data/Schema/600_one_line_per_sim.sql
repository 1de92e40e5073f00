-- One SIM, one line: no two lines in service hold the same ICCID (what Signup's stock also guarantees).
CREATE UNIQUE INDEX subscriptions_live_iccid ON subscriptions (iccid) WHERE iccid IS NOT NULL AND status NOT IN ('cancelled', 'moved');
