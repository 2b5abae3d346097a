import { sql, type Kysely } from 'kysely';
import type { SecretBox } from '../crypto/secret-box.js';
import type { Database, ProxyStatus, ProxyType } from '../db/schema.js';
import { proxyCredentialForms, scrubSecrets, type ParsedProxy } from './credentials.js';
import { changeAccountStatus } from './events.js';
import { AccountStoreError, isUniqueViolation } from './store-errors.js';
import { fetchPage } from '../db/page.js';

/**
 * Proxies as rows. The URL with credentials is written encrypted and read back only to scrub it out of error texts;
 * what leaves this module is the label (scheme://host:port) and counters.
 */
export interface ProxyRow {
  id: number;
  label: string;
  type: ProxyType;
  status: ProxyStatus;
  consecutive_failures: number;
  success_count: number;
  failure_count: number;
  latency_ms: number | null;
  last_check_at: Date | null;
  /** Scrubbed of the proxy's credentials. */
  last_error: string | null;
  account_id: number | null;
  account_username: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface ProxyFilter {
  status?: ProxyStatus;
  limit: number;
  offset: number;
}

function proxyQuery(db: Kysely<Database>) {
  return db
    .selectFrom('proxies as p')
    .leftJoin('ig_accounts as a', 'a.proxy_id', 'p.id')
    .select([
      'p.id',
      'p.label',
      'p.type',
      'p.status',
      'p.consecutive_failures',
      'p.success_count',
      'p.failure_count',
      'p.latency_ms',
      'p.last_check_at',
      'p.last_error',
      'p.url_encrypted',
      'p.created_at',
      'p.updated_at',
      'a.id as account_id',
      'a.username as account_username',
    ]);
}

type RawProxyRow = Awaited<ReturnType<ReturnType<typeof proxyQuery>['executeTakeFirstOrThrow']>>;

/** Drops the encrypted URL after using it to scrub the last error: the row that leaves holds no secret. */
function toProxyRow(box: SecretBox, raw: RawProxyRow): ProxyRow {
  const { url_encrypted, ...row } = raw;
  return { ...row, last_error: scrubSecrets(row.last_error, credentialForms(box, url_encrypted)) };
}

function credentialForms(box: SecretBox, sealed: string): string[] {
  try {
    return proxyCredentialForms(box.decrypt(sealed));
  } catch {
    return []; // a wrong key must not break listing; the generic URL scrub still applies
  }
}

export async function listProxies(
  db: Kysely<Database>,
  box: SecretBox,
  filter: ProxyFilter,
): Promise<{ items: ProxyRow[]; hasMore: boolean }> {
  let query = proxyQuery(db);
  if (filter.status) query = query.where('p.status', '=', filter.status);
  const page = await fetchPage(query.orderBy('p.id'), filter);
  return { ...page, items: page.items.map((row) => toProxyRow(box, row)) };
}

export async function getProxy(db: Kysely<Database>, box: SecretBox, id: number): Promise<ProxyRow | undefined> {
  const row = await proxyQuery(db).where('p.id', '=', id).executeTakeFirst();
  return row && toProxyRow(box, row);
}

export async function createProxy(db: Kysely<Database>, box: SecretBox, proxy: ParsedProxy): Promise<number> {
  const { id, created } = await insertProxyIfMissing(db, box, proxy);
  if (!created) throw new AccountStoreError('conflict', `proxy ${proxy.label} already exists (id ${id})`);
  return id;
}

/** Idempotent insert keyed by the label; an existing proxy is left as it is. */
export async function insertProxyIfMissing(
  db: Kysely<Database>,
  box: SecretBox,
  proxy: ParsedProxy,
): Promise<{ id: number; created: boolean }> {
  const inserted = await db
    .insertInto('proxies')
    .values({ label: proxy.label, type: proxy.type, url_encrypted: box.encrypt(proxy.url) })
    .onConflict((oc) => oc.column('label').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (inserted) return { id: inserted.id, created: true };
  const existing = await db.selectFrom('proxies').select('id').where('label', '=', proxy.label).executeTakeFirstOrThrow();
  return { id: existing.id, created: false };
}

export interface ProxyPatch {
  proxy?: ParsedProxy;
  status?: 'active' | 'disabled';
}

/** A new URL replaces type, label and credentials; `active` by hand also forgets the failure streak. */
export async function updateProxy(db: Kysely<Database>, box: SecretBox, id: number, patch: ProxyPatch): Promise<void> {
  try {
    const updated = await db
      .updateTable('proxies')
      .set({
        updated_at: sql`now()`,
        ...(patch.proxy ? { label: patch.proxy.label, type: patch.proxy.type, url_encrypted: box.encrypt(patch.proxy.url) } : {}),
        ...(patch.status ? { status: patch.status } : {}),
        ...(patch.status === 'active' ? { consecutive_failures: 0 } : {}),
      })
      .where('id', '=', id)
      .executeTakeFirst();
    if (updated.numUpdatedRows === 0n) throw new AccountStoreError('not_found', `proxy ${id} does not exist`);
  } catch (error) {
    if (!isUniqueViolation(error, 'proxies_label_key')) throw error;
    throw new AccountStoreError('conflict', `another proxy already has the address ${patch.proxy?.label}`);
  }
}

/**
 * A proxy in use is kept unless forced: then its account is left without a proxy, in `proxy_error`, so the pool
 * never sends it out from the server's own address.
 */
export async function deleteProxy(db: Kysely<Database>, id: number, options: { force: boolean }): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const proxy = await trx.selectFrom('proxies').select(['id', 'label']).where('id', '=', id).forUpdate().executeTakeFirst();
    if (!proxy) throw new AccountStoreError('not_found', `proxy ${id} does not exist`);
    const account = await trx
      .selectFrom('ig_accounts')
      .select(['id', 'username'])
      .where('proxy_id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    if (account && !options.force) {
      throw new AccountStoreError(
        'conflict',
        `proxy ${proxy.label} is used by account '${account.username}' (id ${account.id}); bind that account to another proxy first, or delete with ?force=true`,
      );
    }
    if (account) {
      await trx.updateTable('ig_accounts').set({ proxy_id: null, updated_at: sql`now()` }).where('id', '=', account.id).execute();
      await changeAccountStatus(trx, [account.id], {
        status: 'proxy_error',
        reason: `its proxy ${proxy.label} was deleted; bind another proxy`,
        keepCooldown: true,
        proxyId: proxy.id,
        action: 'admin:proxy_deleted',
      });
    }
    await trx.deleteFrom('proxies').where('id', '=', id).execute();
  });
}

/**
 * An active proxy bound to no account, the healthiest first (fewest failures in a row, then the oldest), locked so two
 * concurrent claims (imports, accounts moved off a failed proxy) never hand out the same one. The one "free active
 * proxy" query: import.ts and proxy-health.ts both take theirs here.
 */
export async function claimFreeProxy(db: Kysely<Database>): Promise<number | undefined> {
  const row = await db
    .selectFrom('proxies as p')
    .select('p.id')
    .where('p.status', '=', 'active')
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('ig_accounts as a').select('a.id').whereRef('a.proxy_id', '=', 'p.id'))))
    .orderBy('p.consecutive_failures')
    .orderBy('p.id')
    .limit(1)
    .forUpdate()
    .skipLocked()
    .executeTakeFirst();
  return row?.id;
}

/** The proxy's credentials in plain text, only to scrub them out of a check's message before it is shown. */
export async function proxySecretsForScrubbing(db: Kysely<Database>, box: SecretBox, id: number): Promise<string[]> {
  const row = await db.selectFrom('proxies').select('url_encrypted').where('id', '=', id).executeTakeFirst();
  return row ? credentialForms(box, row.url_encrypted) : [];
}
