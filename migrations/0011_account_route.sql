-- Network failures of an account's own route (no proxy, or the connection itself): consecutive ones, for the growing
-- cooldown that keeps an account with no way out from being picked again and again (issue 15). Reset by a success.
ALTER TABLE ig_accounts ADD COLUMN route_failures int NOT NULL DEFAULT 0;

-- Whether an account may talk to Instagram with the route it has. An account without a proxy sends the server's own
-- address; it is used only when ACCOUNT_DIRECT_CONNECTIONS says so: 'allow', 'deny', or 'auto' (only while no
-- proxy is configured at all). One definition for the lease, the availability and health.
CREATE FUNCTION igscout_route_allowed(proxy_id bigint, direct text) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT proxy_id IS NOT NULL OR direct = 'allow' OR (direct = 'auto' AND NOT EXISTS (SELECT 1 FROM proxies))
$$;
