import { readFile } from 'node:fs/promises';
import { sql, type Kysely } from 'kysely';
import type { Config } from '../config.js';
import type { SecretBox } from '../crypto/secret-box.js';
import type { Database } from '../db/schema.js';
import type { Logger } from '../logger.js';
import { parseAccountLines, parseProxyLines, type AccountLine, type LineError } from './import-lines.js';
import { claimFreeProxy, insertProxyIfMissing } from './proxy-repository.js';
import { insertAccount, lockAssignableProxy } from './repository.js';
import { AccountStoreError } from './store-errors.js';

/**
 * Bulk import of account and proxy lists (API and start-up configuration). Idempotent: importing the same lines
 * again changes nothing — existing proxies are skipped, existing accounts get their password (and line proxy)
 * updated only when it differs. Each account line is its own transaction, so one bad line never undoes the others.
 */
export interface ImportResult {
  created: number;
  updated: number;
  skipped: number;
  errors: LineError[];
  /** Accounts of this import bound to a free proxy because `assignProxies` was asked. */
  proxies_assigned?: number;
  /** Accounts of this import still without a proxy after assignment (no free active proxy left). */
  without_proxy?: number;
}

export const MAX_IMPORT_LINES = 10_000;

export async function importProxies(db: Kysely<Database>, box: SecretBox, text: string): Promise<ImportResult> {
  const parsed = parseProxyLines(text);
  const result: ImportResult = { created: 0, updated: 0, skipped: 0, errors: parsed.errors };
  for (const { proxy } of parsed.entries) {
    const { created } = await insertProxyIfMissing(db, box, proxy);
    if (created) result.created++;
    else result.skipped++;
  }
  return result;
}

export async function importAccounts(
  db: Kysely<Database>,
  box: SecretBox,
  text: string,
  options: { assignProxies?: boolean } = {},
): Promise<ImportResult> {
  const parsed = parseAccountLines(text);
  const result: ImportResult = { created: 0, updated: 0, skipped: 0, errors: [...parsed.errors] };
  const imported: number[] = [];
  for (const entry of parsed.entries) {
    try {
      const { id, outcome } = await importAccountLine(db, box, entry);
      result[outcome]++;
      imported.push(id);
    } catch (error) {
      if (!(error instanceof AccountStoreError)) throw error;
      result.errors.push({ line: entry.line, message: error.message });
    }
  }
  result.errors.sort((a, b) => a.line - b.line);
  if (options.assignProxies) Object.assign(result, await assignFreeProxies(db, imported));
  return result;
}

async function importAccountLine(db: Kysely<Database>, box: SecretBox, entry: AccountLine) {
  const proxyId = entry.proxy ? (await insertProxyIfMissing(db, box, entry.proxy)).id : undefined;
  return db.transaction().execute(async (trx) => {
    // Lock the proxy before looking the account up: a concurrent import of the same line then sees our account.
    if (proxyId !== undefined) await trx.selectFrom('proxies').select('id').where('id', '=', proxyId).forUpdate().execute();
    const existing = await trx
      .selectFrom('ig_accounts')
      .select(['id', 'password_encrypted', 'proxy_id'])
      .where('username', '=', entry.username)
      .forUpdate()
      .executeTakeFirst();
    if (proxyId !== undefined) await lockAssignableProxy(trx, proxyId, existing?.id ?? null);
    if (!existing) {
      return {
        id: await insertAccount(trx, box, { username: entry.username, password: entry.password, proxyId }),
        outcome: 'created' as const,
      };
    }
    const samePassword = decryptsTo(box, existing.password_encrypted, entry.password);
    if (samePassword && (proxyId === undefined || proxyId === existing.proxy_id)) return { id: existing.id, outcome: 'skipped' as const };
    await trx
      .updateTable('ig_accounts')
      .set({
        updated_at: sql`now()`,
        ...(samePassword ? {} : { password_encrypted: box.encrypt(entry.password) }),
        ...(proxyId !== undefined ? { proxy_id: proxyId } : {}),
      })
      .where('id', '=', existing.id)
      .execute();
    return { id: existing.id, outcome: 'updated' as const };
  });
}

function decryptsTo(box: SecretBox, sealed: string, password: string): boolean {
  try {
    return box.decrypt(sealed) === password;
  } catch {
    return false; // unreadable (key changed): the import's password replaces it
  }
}

/** Each listed account without a proxy gets a free active one, one transaction per binding. */
async function assignFreeProxies(db: Kysely<Database>, accountIds: number[]): Promise<{ proxies_assigned: number; without_proxy: number }> {
  let assigned = 0;
  let without = 0;
  for (const accountId of accountIds) {
    const outcome = await db.transaction().execute(async (trx) => {
      const account = await trx.selectFrom('ig_accounts').select('proxy_id').where('id', '=', accountId).forUpdate().executeTakeFirst();
      if (!account || account.proxy_id !== null) return 'has_proxy';
      const proxyId = await claimFreeProxy(trx);
      if (proxyId === undefined) return 'none_free';
      await trx.updateTable('ig_accounts').set({ proxy_id: proxyId, updated_at: sql`now()` }).where('id', '=', accountId).execute();
      return 'assigned';
    });
    if (outcome === 'assigned') assigned++;
    if (outcome === 'none_free') without++;
  }
  return { proxies_assigned: assigned, without_proxy: without };
}

/**
 * Start-up import for Compose deployments: IG_PROXIES first, then IG_ACCOUNTS (each account without a proxy gets a
 * free one). A value is the lines themselves or `@/path/to/file`. Idempotent, so it runs at every start; logs
 * counts and line errors only (error messages never hold a secret).
 */
export async function importFromConfig(
  db: Kysely<Database>,
  box: SecretBox,
  config: Partial<Pick<Config, 'IG_ACCOUNTS' | 'IG_PROXIES'>>,
  logger: Logger,
): Promise<{ proxies?: ImportResult; accounts?: ImportResult }> {
  const log = logger.child({ component: 'account-import' });
  const outcome: { proxies?: ImportResult; accounts?: ImportResult } = {};
  if (config.IG_PROXIES) {
    let text = await readConfigValue(config.IG_PROXIES, 'IG_PROXIES');
    // Proxies hold no spaces or commas, so a one-line variable may list them that way (entry N is then "line" N).
    if (!text.includes('\n'))
      text = text
        .trim()
        .split(/[,\s]+/)
        .join('\n');
    outcome.proxies = await importProxies(db, box, text);
    logImport(log, 'IG_PROXIES', outcome.proxies);
  }
  if (config.IG_ACCOUNTS) {
    const text = await readConfigValue(config.IG_ACCOUNTS, 'IG_ACCOUNTS');
    outcome.accounts = await importAccounts(db, box, text, { assignProxies: true });
    logImport(log, 'IG_ACCOUNTS', outcome.accounts);
  }
  return outcome;
}

async function readConfigValue(value: string, variable: string): Promise<string> {
  if (!value.startsWith('@')) return value;
  const file = value.slice(1);
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new Error(`${variable}: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

function logImport(log: Logger, source: string, result: ImportResult): void {
  const { errors, ...counts } = result;
  log.info({ source, ...counts, errorLines: errors.length }, `imported ${source}`);
  for (const error of errors) log.warn({ source, line: error.line }, `${source} line ${error.line} skipped: ${error.message}`);
}
