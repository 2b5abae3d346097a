import { sql, type Kysely } from 'kysely';
import type { SecretBox } from '../crypto/secret-box.js';
import type { AccountStatus, Database, ProxyStatus } from '../db/schema.js';
import { proxyCredentialForms, scrubSecrets } from './credentials.js';
import { newDeviceSeed } from './device-seed.js';
import { changeAccountStatus, type StatusChange } from './events.js';
import { notifyAccountsChanged } from './lease.js';
import { AccountStoreError, isUniqueViolation } from './store-errors.js';
import { fetchPage } from '../db/page.js';

/**
 * Instagram accounts as the admin manages them. Passwords are encrypted on write; reads for views never select the
 * password, the session or the device seed — only whether a session exists.
 */
export interface AccountRow {
  id: number;
  username: string;
  status: AccountStatus;
  /** Scrubbed of proxy credentials. */
  status_reason: string | null;
  cooldown_until: Date | null;
  last_login_at: Date | null;
  last_used_at: Date | null;
  last_validated_at: Date | null;
  warmup_started_at: Date;
  requests_total: number;
  has_session: boolean;
  leased: boolean;
  proxy_id: number | null;
  proxy_label: string | null;
  proxy_status: ProxyStatus | null;
  created_at: Date;
  updated_at: Date;
}

export interface AccountFilter {
  status?: AccountStatus;
  limit: number;
  offset: number;
}

function accountQuery(db: Kysely<Database>) {
  return db
    .selectFrom('ig_accounts as a')
    .leftJoin('proxies as p', 'p.id', 'a.proxy_id')
    .select([
      'a.id',
      'a.username',
      'a.status',
      'a.status_reason',
      'a.cooldown_until',
      'a.last_login_at',
      'a.last_used_at',
      'a.last_validated_at',
      'a.warmup_started_at',
      'a.requests_total',
      'a.created_at',
      'a.updated_at',
      sql<boolean>`a.session_encrypted IS NOT NULL`.as('has_session'),
      sql<boolean>`coalesce(a.leased_until > now(), false)`.as('leased'),
      'p.id as proxy_id',
      'p.label as proxy_label',
      'p.status as proxy_status',
      'p.url_encrypted as proxy_url_encrypted',
    ]);
}

type RawAccountRow = Awaited<ReturnType<ReturnType<typeof accountQuery>['executeTakeFirstOrThrow']>>;

function toAccountRow(box: SecretBox, raw: RawAccountRow): AccountRow {
  const { proxy_url_encrypted, ...row } = raw;
  let forms: string[] = [];
  try {
    if (proxy_url_encrypted) forms = proxyCredentialForms(box.decrypt(proxy_url_encrypted));
  } catch {
    // a wrong key must not break listing; the generic URL scrub still applies
  }
  return { ...row, status_reason: scrubSecrets(row.status_reason, forms) };
}

export async function listAccounts(
  db: Kysely<Database>,
  box: SecretBox,
  filter: AccountFilter,
): Promise<{ items: AccountRow[]; hasMore: boolean }> {
  let query = accountQuery(db);
  if (filter.status) query = query.where('a.status', '=', filter.status);
  const page = await fetchPage(query.orderBy('a.id'), filter);
  return { ...page, items: page.items.map((row) => toAccountRow(box, row)) };
}

export async function getAccount(db: Kysely<Database>, box: SecretBox, id: number): Promise<AccountRow | undefined> {
  const row = await accountQuery(db).where('a.id', '=', id).executeTakeFirst();
  return row && toAccountRow(box, row);
}

export interface NewAccount {
  username: string;
  password: string;
  proxyId?: number | null;
}

export async function createAccount(db: Kysely<Database>, box: SecretBox, input: NewAccount): Promise<number> {
  return db.transaction().execute(async (trx) => {
    if (input.proxyId != null) await lockAssignableProxy(trx, input.proxyId, null);
    const existing = await trx.selectFrom('ig_accounts').select('id').where('username', '=', input.username).executeTakeFirst();
    if (existing) throw new AccountStoreError('conflict', `account '${input.username}' already exists (id ${existing.id})`);
    return insertAccount(trx, box, input);
  });
}

/** Plain insert; callers have checked the proxy. A concurrent insert of the same username is a 409, not a 500. */
export async function insertAccount(db: Kysely<Database>, box: SecretBox, input: NewAccount): Promise<number> {
  try {
    const row = await db
      .insertInto('ig_accounts')
      .values({
        username: input.username,
        password_encrypted: box.encrypt(input.password),
        device_seed_encrypted: box.encrypt(newDeviceSeed()),
        proxy_id: input.proxyId ?? null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await notifyAccountsChanged(db);
    return row.id;
  } catch (error) {
    if (isUniqueViolation(error, 'ig_accounts_username_key'))
      throw new AccountStoreError('conflict', `account '${input.username}' already exists`);
    if (isUniqueViolation(error, 'ig_accounts_proxy_id_key'))
      throw new AccountStoreError('conflict', `proxy ${input.proxyId} is already bound to another account`);
    throw error;
  }
}

/**
 * One account = one proxy. Locks the proxy row, so two requests binding the same proxy are serialised and the
 * second one gets a message naming the account that holds it.
 */
export async function lockAssignableProxy(db: Kysely<Database>, proxyId: number, accountId: number | null): Promise<void> {
  const proxy = await db.selectFrom('proxies').select(['id', 'label']).where('id', '=', proxyId).forUpdate().executeTakeFirst();
  if (!proxy) throw new AccountStoreError('invalid', `proxy_id ${proxyId}: no such proxy`);
  const holder = await db.selectFrom('ig_accounts').select(['id', 'username']).where('proxy_id', '=', proxyId).executeTakeFirst();
  if (holder && holder.id !== accountId) {
    throw new AccountStoreError(
      'conflict',
      `proxy ${proxy.label} (id ${proxy.id}) is already bound to account '${holder.username}' (id ${holder.id}); one proxy per account — unbind it there first`,
    );
  }
}

export interface AccountPatch {
  password?: string;
  /** null unbinds. */
  proxyId?: number | null;
  status?: 'active' | 'disabled';
}

export async function updateAccount(db: Kysely<Database>, box: SecretBox, id: number, patch: AccountPatch): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const current = await trx
      .selectFrom('ig_accounts')
      .select(['id', 'status', 'proxy_id'])
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    if (!current) throw new AccountStoreError('not_found', `account ${id} does not exist`);
    const bindsNewProxy = patch.proxyId != null && patch.proxyId !== current.proxy_id;
    if (bindsNewProxy) await lockAssignableProxy(trx, patch.proxyId!, id);
    await trx
      .updateTable('ig_accounts')
      .set({
        updated_at: sql`now()`,
        ...(patch.password !== undefined ? { password_encrypted: box.encrypt(patch.password) } : {}),
        ...(patch.proxyId !== undefined ? { proxy_id: patch.proxyId } : {}),
      })
      .where('id', '=', id)
      .execute();
    const change = statusChange(patch, current.status, bindsNewProxy);
    // The row is locked above, so its status is still `current.status`: no `from` needed.
    if (change)
      await changeAccountStatus(trx, [id], { ...change, proxyId: patch.proxyId !== undefined ? patch.proxyId : current.proxy_id });
  });
}

/**
 * `active` by hand is what a human says after solving a challenge or fixing a password: it clears the cooldown,
 * the reason and the challenge count. Binding a proxy to an account parked in `proxy_error` also reactivates it.
 * `disabled` keeps the cooldown as it was.
 */
function statusChange(patch: AccountPatch, current: AccountStatus, bindsNewProxy: boolean): StatusChange | undefined {
  const activate = { status: 'active', reason: null, cooldownUntil: null, resetChallenges: true } as const;
  if (patch.status === 'active') return { ...activate, action: 'admin:activate' };
  if (patch.status === 'disabled') return { status: 'disabled', reason: 'disabled by admin', keepCooldown: true, action: 'admin:disable' };
  if (bindsNewProxy && current === 'proxy_error') return { ...activate, action: 'admin:proxy_bound' };
  return undefined;
}

/** Refused while a task holds the account: its lease would point at a row that no longer exists. */
export async function deleteAccount(db: Kysely<Database>, id: number): Promise<void> {
  const deleted = await db
    .deleteFrom('ig_accounts')
    .where('id', '=', id)
    .where((eb) => eb.or([eb('leased_until', 'is', null), eb('leased_until', '<=', sql<Date>`now()`)]))
    .returning('id')
    .executeTakeFirst();
  if (deleted) return;
  const row = await db.selectFrom('ig_accounts').select(['username', 'leased_until']).where('id', '=', id).executeTakeFirst();
  if (!row) throw new AccountStoreError('not_found', `account ${id} does not exist`);
  throw new AccountStoreError(
    'conflict',
    `account '${row.username}' is in use by a task (leased until ${row.leased_until?.toISOString()}); disable it (PATCH status "disabled") and delete it once the lease ends`,
  );
}

/**
 * The account's own secrets in plain text (password, proxy credentials), only to scrub them out of texts that come
 * back from Instagram operations before they are shown. Never returned to a caller of the API.
 */
export async function accountSecretsForScrubbing(db: Kysely<Database>, box: SecretBox, id: number): Promise<string[]> {
  const row = await db
    .selectFrom('ig_accounts as a')
    .leftJoin('proxies as p', 'p.id', 'a.proxy_id')
    .select(['a.password_encrypted', 'p.url_encrypted'])
    .where('a.id', '=', id)
    .executeTakeFirst();
  if (!row) return [];
  const secrets: string[] = [];
  try {
    secrets.push(box.decrypt(row.password_encrypted));
    if (row.url_encrypted) secrets.push(...proxyCredentialForms(box.decrypt(row.url_encrypted)));
  } catch {
    // unreadable secrets cannot appear in a text either
  }
  return secrets.filter((secret) => secret.length >= 3);
}
