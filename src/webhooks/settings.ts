import os from 'node:os';
import type { Config } from '../config.js';
import type { DelivererSettings } from './deliverer.js';
import type { SelfAddress } from './url-guard.js';

export function delivererSettings(config: Config): DelivererSettings {
  return {
    concurrency: config.WEBHOOK_CONCURRENCY,
    pollIntervalMs: config.WEBHOOK_POLL_INTERVAL_MS,
    timeoutMs: config.WEBHOOK_TIMEOUT_MS,
    leaseMs: config.WEBHOOK_LEASE_MS,
    maxAttempts: config.WEBHOOK_MAX_ATTEMPTS,
    retryBaseMs: config.WEBHOOK_RETRY_BASE_MS,
    retryFactor: config.WEBHOOK_RETRY_FACTOR,
    retryMaxMs: config.WEBHOOK_RETRY_MAX_MS,
  };
}

/** The names and addresses of this machine plus the configured HOST, for refusing endpoints that are the daemon. */
export function selfHosts(configuredHost: string | undefined): Set<string> {
  const hosts = new Set<string>([os.hostname().toLowerCase()]);
  if (configuredHost) hosts.add(configuredHost.toLowerCase().replace(/^\[|\]$/g, ''));
  for (const addresses of Object.values(os.networkInterfaces())) {
    for (const address of addresses ?? []) hosts.add(address.address.toLowerCase().replace(/%.*$/, ''));
  }
  return hosts;
}

export function selfAddress(configuredHost: string | undefined, port: () => number | undefined): () => SelfAddress {
  const hosts = selfHosts(configuredHost);
  return () => ({ port: port(), hosts });
}
