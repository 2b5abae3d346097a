import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { SecretBox } from '../crypto/secret-box.js';
import type { Database } from '../db/schema.js';
import type { Logger } from '../logger.js';

/**
 * The device identity of an account is derived from this seed: random once, never changed, so the account keeps
 * "its phone". With the session it identifies the device, so it is stored sealed (device_seed_encrypted), like the
 * password and the session. Rows written before migration 0012 carry it in plaintext (device_seed) until the daemon
 * seals them at start.
 */
export const newDeviceSeed = () => randomBytes(16).toString('hex');

/** The seed of a row, sealed or (until sealDeviceSeeds ran) not. */
export function deviceSeedOf(row: { device_seed: string | null; device_seed_encrypted: string | null }, box: SecretBox): string {
  if (row.device_seed_encrypted !== null) return box.decrypt(row.device_seed_encrypted);
  if (row.device_seed !== null) return row.device_seed;
  throw new Error('the account has no device seed'); // ruled out by the ig_accounts_device_seed_present constraint
}

/**
 * Seals every plaintext seed, one statement per row: the same seed, so the account keeps its device. Idempotent and
 * safe with other processes doing the same (a row sealed meanwhile is skipped by the `device_seed IS NOT NULL` test).
 */
export async function sealDeviceSeeds(db: Kysely<Database>, box: SecretBox, logger: Logger): Promise<number> {
  const plain = await db.selectFrom('ig_accounts').select(['id', 'device_seed']).where('device_seed', 'is not', null).execute();
  let sealed = 0;
  for (const row of plain) {
    const result = await db
      .updateTable('ig_accounts')
      .set({ device_seed_encrypted: box.encrypt(row.device_seed!), device_seed: null })
      .where('id', '=', row.id)
      .where('device_seed', '=', row.device_seed)
      .executeTakeFirst();
    sealed += Number(result.numUpdatedRows);
  }
  if (sealed > 0) logger.info({ accounts: sealed }, 'sealed the device seeds stored in plaintext');
  return sealed;
}
