import type { Kysely } from 'kysely';
import type { Alerter } from '../alerts/alerter.js';
import type { SecretBox } from '../crypto/secret-box.js';
import type { Database } from '../db/schema.js';
import type { Logger } from '../logger.js';
import { GraphClient, type PageWithIg } from './client.js';
import { classifyGraphError, GraphApiError } from './errors.js';
import type { EnabledGraphSettings, GraphSettings } from './settings.js';
import {
  connectionToken,
  consumeOAuthState,
  createOAuthState,
  getConnection,
  isUsable,
  listConnections,
  pickAccount,
  replaceToken,
  saveConnection,
  setConnectionStatus,
  type ConnectionRow,
} from './store.js';

/** Why a connect step was refused, in words for the API: off → 503, invalid → 400, not_found → 404, conflict → 409, upstream → 503. */
export class GraphConnectError extends Error {
  override name = 'GraphConnectError';
  constructor(
    readonly kind: 'off' | 'invalid' | 'not_found' | 'conflict' | 'upstream',
    message: string,
  ) {
    super(message);
  }
}

/** Permissions without which nothing of the source works. */
export const REQUIRED_SCOPES = ['instagram_basic', 'instagram_manage_insights', 'pages_show_list'] as const;
const DAY_MS = 86_400_000;

export interface GraphConnectDeps {
  db: Kysely<Database>;
  box: SecretBox;
  settings: GraphSettings;
  alerter: Alerter;
  logger: Logger;
  fetchImpl?: typeof fetch;
}

/**
 * Facebook Login for Business, served by the daemon: the dialog URL with a one-time `state`, the callback's code →
 * short-lived → long-lived (60-day) token sealed at rest, the user's Pages with their Instagram professional
 * accounts, the pick of one, and the refresh_tokens job.
 */
export class GraphConnect {
  constructor(private readonly deps: GraphConnectDeps) {}

  get settings(): GraphSettings {
    return this.deps.settings;
  }

  private on(): EnabledGraphSettings {
    if (!this.deps.settings.enabled) throw new GraphConnectError('off', this.deps.settings.reason);
    return this.deps.settings;
  }

  client(): GraphClient {
    return new GraphClient(this.on(), this.deps.fetchImpl);
  }

  async authorizeUrl(): Promise<string> {
    const settings = this.on();
    const state = await createOAuthState(this.deps.db, settings.stateTtlMs);
    const url = new URL(settings.dialogUrl);
    url.searchParams.set('client_id', settings.appId);
    url.searchParams.set('redirect_uri', settings.redirectUrl);
    url.searchParams.set('state', state);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('scope', settings.scopes.join(','));
    return url.toString();
  }

  async completeCallback(query: {
    code?: string;
    state?: string;
    error?: string;
    error_description?: string;
    error_reason?: string;
  }): Promise<{ connection: ConnectionRow; pages: PageWithIg[] }> {
    const settings = this.on();
    if (!query.state || !(await consumeOAuthState(this.deps.db, query.state))) {
      throw new GraphConnectError('invalid', 'unknown, used or expired state: start again from GET /api/graph/connect');
    }
    if (query.error)
      throw new GraphConnectError(
        'invalid',
        `Facebook Login was not completed: ${query.error_description ?? query.error_reason ?? query.error}`,
      );
    if (!query.code) throw new GraphConnectError('invalid', 'the callback has neither code nor error');
    const client = this.client();
    const { connection, token } = await this.upstream(async () => {
      const short = await client.exchangeCode(query.code!, settings.redirectUrl);
      const long = await client.longLived(short.accessToken);
      const info = await client.debugToken(long.accessToken);
      const me = await client.me(long.accessToken);
      const now = new Date();
      const expiresAt = info.expiresAt ?? (long.expiresIn ? new Date(now.getTime() + long.expiresIn * 1000) : null);
      const saved = await saveConnection(
        this.deps.db,
        this.deps.box,
        { id: me.id, name: me.name ?? null },
        { token: long.accessToken, issuedAt: info.issuedAt ?? now, expiresAt, scopes: info.scopes },
      );
      return { connection: saved, token: long.accessToken };
    });
    const missing = REQUIRED_SCOPES.filter((s) => !connection.scopes.includes(s));
    if (missing.length > 0) this.deps.logger.warn({ connectionId: connection.id, missing }, 'Graph connection lacks permissions');
    const pages = await this.upstream(() => client.pages(token));
    this.deps.logger.info({ connectionId: connection.id, pages: pages.length }, 'Graph API account connected');
    return { connection, pages };
  }

  async pages(connectionId: number): Promise<PageWithIg[]> {
    const token = await this.usableToken(connectionId);
    return this.upstream(() => this.client().pages(token), connectionId);
  }

  async pick(connectionId: number, igUserId: string): Promise<ConnectionRow> {
    const pages = await this.pages(connectionId);
    const page = pages.find((p) => p.ig?.id === igUserId);
    if (!page?.ig) {
      const offered = pages.flatMap((p) => (p.ig ? [`${p.ig.id} (@${p.ig.username})`] : []));
      throw new GraphConnectError(
        'invalid',
        `no Page of this connection has the Instagram account ${igUserId}; offered: ${offered.join(', ') || 'none'}`,
      );
    }
    const row = await pickAccount(this.deps.db, connectionId, {
      igUserId: page.ig.id,
      igUsername: page.ig.username,
      pageId: page.id,
      pageName: page.name,
    });
    if (!row) throw new GraphConnectError('not_found', `no Graph connection ${connectionId}`);
    return row;
  }

  list(): Promise<ConnectionRow[]> {
    return listConnections(this.deps.db);
  }

  private async usableToken(connectionId: number): Promise<string> {
    const connection = await getConnection(this.deps.db, connectionId);
    if (!connection) throw new GraphConnectError('not_found', `no Graph connection ${connectionId}`);
    if (!isUsable(connection.status)) {
      throw new GraphConnectError(
        'conflict',
        `Graph connection ${connectionId} is ${connection.status}${connection.status_reason ? ` (${connection.status_reason})` : ''}: connect again from GET /api/graph/connect`,
      );
    }
    return (await connectionToken(this.deps.db, this.deps.box, connectionId))!;
  }

  /** A Graph API call on behalf of the API: its refusals become 4xx/503 with Meta's message, a dead token marks the connection. */
  private async upstream<T>(call: () => Promise<T>, connectionId?: number): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof GraphApiError)) {
        throw new GraphConnectError('upstream', `the Graph API could not be reached: ${(error as Error).message}`);
      }
      const kind = classifyGraphError(error);
      if (connectionId !== undefined && (kind === 'token_expired' || kind === 'token_revoked')) {
        await setConnectionStatus(this.deps.db, connectionId, kind === 'token_expired' ? 'expired' : 'revoked', error.message);
        throw new GraphConnectError(
          'conflict',
          `the token of Graph connection ${connectionId} no longer works (${error.message}): connect again`,
        );
      }
      if (kind === 'throttled' || kind === 'transient')
        throw new GraphConnectError('upstream', `the Graph API refused for now (code ${error.code}): ${error.message}`);
      throw new GraphConnectError(
        'invalid',
        `the Graph API refused (code ${error.code}${error.subcode ? `/${error.subcode}` : ''}): ${error.message}`,
      );
    }
  }

  /**
   * refresh_tokens: every active connection's token is checked (debug_token); one that expires within the
   * configured window and is at least 24 h old is exchanged for a new 60-day token. A failed refresh, a dead
   * token or a removed permission raises an alert and marks the connection; nothing else is touched.
   */
  async refreshTokens(now = new Date()): Promise<{ checked: number; refreshed: number; failed: number }> {
    if (!this.deps.settings.enabled) return { checked: 0, refreshed: 0, failed: 0 };
    const settings = this.deps.settings;
    const client = this.client();
    let refreshed = 0;
    let failed = 0;
    const connections = (await listConnections(this.deps.db)).filter((c) => isUsable(c.status));
    for (const connection of connections) {
      const subject = { connection: connection.id, fb_user: connection.fb_user_id };
      const token = (await connectionToken(this.deps.db, this.deps.box, connection.id))!;
      try {
        const info = await client.debugToken(token);
        if (!info.isValid) {
          // Refreshing cannot revive a dead token: say so now rather than at the next task.
          const expired = info.expiresAt !== null && info.expiresAt.getTime() <= now.getTime();
          await setConnectionStatus(
            this.deps.db,
            connection.id,
            expired ? 'expired' : 'revoked',
            expired ? 'the token expired' : 'the token was invalidated (password change or app removed)',
          );
          this.deps.alerter.alert({
            kind: 'graph_permission_revoked',
            severity: 'critical',
            subject,
            message: `Graph connection ${connection.id}: the token ${expired ? 'expired' : 'was invalidated'}; connect again`,
          });
          failed += 1;
          continue;
        }
        const missing = REQUIRED_SCOPES.filter((s) => !info.scopes.includes(s));
        if (missing.length > 0) {
          await setConnectionStatus(this.deps.db, connection.id, 'revoked', `permission removed: ${missing.join(', ')}`);
          this.deps.alerter.alert({
            kind: 'graph_permission_revoked',
            severity: 'critical',
            subject,
            message: `Graph connection ${connection.id}: permission removed (${missing.join(', ')}); connect again`,
          });
          failed += 1;
          continue;
        }
        const expiresAt = info.expiresAt ?? connection.token_expires_at;
        const issuedAt = info.issuedAt ?? connection.token_issued_at;
        const due = expiresAt !== null && expiresAt.getTime() - now.getTime() <= settings.refreshWithinMs;
        const oldEnough = now.getTime() - issuedAt.getTime() >= DAY_MS;
        if (!due || !oldEnough) continue;
        const fresh = await client.refresh(token);
        const freshInfo = await client.debugToken(fresh.accessToken).catch(() => null);
        await replaceToken(this.deps.db, this.deps.box, connection.id, {
          token: fresh.accessToken,
          issuedAt: freshInfo?.issuedAt ?? now,
          expiresAt: freshInfo?.expiresAt ?? (fresh.expiresIn ? new Date(now.getTime() + fresh.expiresIn * 1000) : null),
          scopes: freshInfo?.scopes ?? info.scopes,
        });
        refreshed += 1;
      } catch (error) {
        failed += 1;
        const kind = classifyGraphError(error);
        const message = error instanceof Error ? error.message : String(error);
        const status =
          kind === 'token_expired' ? 'expired' : kind === 'token_revoked' || kind === 'permission' ? 'revoked' : 'refresh_failed';
        await setConnectionStatus(this.deps.db, connection.id, status, `refresh failed: ${message}`);
        this.deps.alerter.alert({
          kind: status === 'revoked' ? 'graph_permission_revoked' : 'graph_token_refresh_failed',
          severity: 'critical',
          subject,
          message: `Graph connection ${connection.id}: token refresh failed (${message})`,
        });
        this.deps.logger.warn({ connectionId: connection.id, kind }, 'Graph token refresh failed');
      }
    }
    return { checked: connections.length, refreshed, failed };
  }
}
