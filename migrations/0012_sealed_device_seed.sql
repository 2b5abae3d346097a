-- Issue 17: the device seed, from which the client derives the phone Instagram sees (device id, UUIDs), identifies
-- the account's device together with its session, so it is sealed like the password and the session. SQL cannot
-- encrypt (the key lives with the daemon): this makes room for the sealed value, and the daemon seals the plaintext
-- seeds at start (src/accounts/device-seed.ts), leaving device_seed NULL. A row always has one or the other.
ALTER TABLE ig_accounts ADD COLUMN device_seed_encrypted text;
ALTER TABLE ig_accounts ALTER COLUMN device_seed DROP NOT NULL;
ALTER TABLE ig_accounts ADD CONSTRAINT ig_accounts_device_seed_present
  CHECK (device_seed IS NOT NULL OR device_seed_encrypted IS NOT NULL);
