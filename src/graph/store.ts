import { createHash, randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { SecretBox } from '../crypto/secret-box.js';
import type { Database } from '../db/schema.js';
import type { GraphConnectionStatus } from '../db/schema-graph.js';

/**
 * Rows of the Graph API source. The token is sealed with the SecretBox before it reaches SQL and is read back only
 * by `connectionToken`; every other read lists its columns and leaves `token_encrypted` out.
 */

const hashState = (state: string) => createHash('sha256').update(state).digest('hex');

/** A new one-time dialog `state` (CSRF), stored as its hash until it is used or expires. */
export async function createOAuthState(db: Kysely<Database>, ttlMs: number): Promise<string> {
  const state = randomBytes(24).toString('base64url');
  await db.deleteFrom('graph_oauth_states').where('expires_at', '<', sql<Date>`now()`).execute();
  await db
    .insertInto('graph_oauth_states')
    .values({ state_hash: hashState(state), expires_at: new Date(Date.now() + ttlMs) })
    .execute();
  return state;
}

/** Uses a state once: true when it was issued by us and has not expired (a replay finds nothing). */
export async function consumeOAuthState(db: Kysely<Database>, state: string): Promise<boolean> {
  const row = await db
    .deleteFrom('graph_oauth_states')
    .where('state_hash', '=', hashState(state))
    .returning('expires_at')
    .executeTakeFirst();
  return row !== undefined && row.expires_at.getTime() > Date.now();
}

export const CONNECTION_COLUMNS = [
  'id',
  'fb_user_id',
  'fb_user_name',
  'token_issued_at',
  'token_expires_at',
  'scopes',
  'status',
  'status_reason',
  'ig_user_id',
  'ig_username',
  'page_id',
  'page_name',
  'last_refreshed_at',
  'created_at',
  'updated_at',
] as const;

export interface ConnectionRow {
  id: number;
  fb_user_id: string;
  fb_user_name: string | null;
  token_issued_at: Date;
  token_expires_at: Date | null;
  scopes: string[];
  status: GraphConnectionStatus;
  status_reason: string | null;
  ig_user_id: string | null;
  ig_username: string | null;
  page_id: string | null;
  page_name: string | null;
  last_refreshed_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface StoredToken {
  token: string;
  issuedAt: Date;
  expiresAt: Date | null;
  scopes: string[];
}

/** One connection per Facebook user: connecting again replaces its token and makes it active. */
export async function saveConnection(
  db: Kysely<Database>,
  box: SecretBox,
  user: { id: string; name: string | null },
  token: StoredToken,
): Promise<ConnectionRow> {
  const values = {
    fb_user_name: user.name,
    token_encrypted: box.encrypt(token.token),
    token_issued_at: token.issuedAt,
    token_expires_at: token.expiresAt,
    scopes: token.scopes,
    status: 'active' as const,
    status_reason: null,
  };
  return db
    .insertInto('graph_connections')
    .values({ fb_user_id: user.id, ...values })
    .onConflict((oc) => oc.column('fb_user_id').doUpdateSet({ ...values, updated_at: sql`now()` }))
    .returning([...CONNECTION_COLUMNS])
    .executeTakeFirstOrThrow() as Promise<ConnectionRow>;
}

export async function listConnections(db: Kysely<Database>): Promise<ConnectionRow[]> {
  return db
    .selectFrom('graph_connections')
    .select([...CONNECTION_COLUMNS])
    .orderBy('id')
    .execute() as Promise<ConnectionRow[]>;
}

export async function getConnection(db: Kysely<Database>, id: number): Promise<ConnectionRow | undefined> {
  return db
    .selectFrom('graph_connections')
    .select([...CONNECTION_COLUMNS])
    .where('id', '=', id)
    .executeTakeFirst() as Promise<ConnectionRow | undefined>;
}

/** The connection's token, unsealed: for a Graph API call only, never for a response or a log line. */
export async function connectionToken(db: Kysely<Database>, box: SecretBox, id: number): Promise<string | undefined> {
  const row = await db.selectFrom('graph_connections').select('token_encrypted').where('id', '=', id).executeTakeFirst();
  return row ? box.decrypt(row.token_encrypted) : undefined;
}

export async function replaceToken(db: Kysely<Database>, box: SecretBox, id: number, token: StoredToken): Promise<void> {
  await db
    .updateTable('graph_connections')
    .set({
      token_encrypted: box.encrypt(token.token),
      token_issued_at: token.issuedAt,
      token_expires_at: token.expiresAt,
      scopes: token.scopes,
      status: 'active',
      status_reason: null,
      last_refreshed_at: sql`now()`,
      updated_at: sql`now()`,
    })
    .where('id', '=', id)
    .execute();
}

export async function setConnectionStatus(
  db: Kysely<Database>,
  id: number,
  status: GraphConnectionStatus,
  reason: string | null,
): Promise<void> {
  await db.updateTable('graph_connections').set({ status, status_reason: reason, updated_at: sql`now()` }).where('id', '=', id).execute();
}

export async function pickAccount(
  db: Kysely<Database>,
  id: number,
  account: { igUserId: string; igUsername: string; pageId: string; pageName: string },
): Promise<ConnectionRow | undefined> {
  return db
    .updateTable('graph_connections')
    .set({
      ig_user_id: account.igUserId,
      ig_username: account.igUsername,
      page_id: account.pageId,
      page_name: account.pageName,
      updated_at: sql`now()`,
    })
    .where('id', '=', id)
    .returning([...CONNECTION_COLUMNS])
    .executeTakeFirst() as Promise<ConnectionRow | undefined>;
}

/**
 * Statuses whose token still works: `refresh_failed` means only that the last refresh did not go through (the
 * token is valid until it expires, and the next run tries again).
 */
export const USABLE_STATUSES = ['active', 'refresh_failed'] as const;
export const isUsable = (status: GraphConnectionStatus) => (USABLE_STATUSES as readonly string[]).includes(status);

/** The active connection with a picked account that tasks use by default: the most recently updated one. */
export async function defaultConnection(db: Kysely<Database>): Promise<ConnectionRow | undefined> {
  return db
    .selectFrom('graph_connections')
    .select([...CONNECTION_COLUMNS])
    .where('status', 'in', [...USABLE_STATUSES])
    .where('ig_user_id', 'is not', null)
    .orderBy('updated_at', 'desc')
    .orderBy('id', 'desc')
    .executeTakeFirst() as Promise<ConnectionRow | undefined>;
}
