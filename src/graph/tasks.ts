import { sql, type Kysely } from 'kysely';
import type { Alerter } from '../alerts/alerter.js';
import type { SecretBox } from '../crypto/secret-box.js';
import type { Database } from '../db/schema.js';
import { PermanentTaskError } from '../queue/errors.js';
import type { TaskContext, TaskHandler } from '../queue/registry.js';
import { PRIORITY } from '../queue/task.js';
import { finishScrape } from '../scraping/finish.js';
import { requestScrapes } from '../tasks/requests.js';
import { FEED_METRICS, GraphClient, REEL_METRICS, type GraphMediaItem } from './client.js';
import { classifyGraphError, GraphApiError } from './errors.js';
import { GraphSession, GraphUsageBook } from './session.js';
import type { GraphSettings } from './settings.js';
import { connectionToken, defaultConnection, getConnection, isUsable, setConnectionStatus, type ConnectionRow } from './store.js';

/** What the Graph task handlers need beyond the task: the key that unseals tokens, the settings, alerts. */
export interface GraphTaskDeps {
  box: SecretBox;
  settings: GraphSettings;
  alerter: Alerter;
  /** Latest media that business discovery reads (SCRAPE_MEDIA_COUNT, as full_scrape). */
  mediaCount: number;
  maxAttempts: number;
  usage?: GraphUsageBook;
  fetchImpl?: typeof fetch;
}

const USERNAME = /^[a-z0-9._]{1,30}$/;
const MAX_METRIC_DROPS = 5;

function enabled(deps: GraphTaskDeps) {
  if (!deps.settings.enabled) throw new PermanentTaskError(deps.settings.reason);
  return deps.settings;
}

async function connectionFor(db: Kysely<Database>, payloadId: unknown): Promise<ConnectionRow> {
  const connection = typeof payloadId === 'number' ? await getConnection(db, payloadId) : await defaultConnection(db);
  if (!connection)
    throw new PermanentTaskError(
      'no Graph connection with a picked Instagram account: connect one (GET /api/graph/connect) and pick its account',
    );
  if (!isUsable(connection.status))
    throw new PermanentTaskError(
      `Graph connection ${connection.id} is ${connection.status} (${connection.status_reason ?? 'no reason'}): connect again`,
    );
  if (!connection.ig_user_id)
    throw new PermanentTaskError(
      `Graph connection ${connection.id} has no Instagram account picked (PUT /api/graph/connections/${connection.id}/account)`,
    );
  return connection;
}

/**
 * A dead token or a removed permission ends the task (retrying cannot help until someone connects again): the
 * connection is marked, an alert raised, and what was written so far stays.
 */
async function failOnAccess(db: Kysely<Database>, deps: GraphTaskDeps, connection: ConnectionRow, error: unknown): Promise<void> {
  const kind = classifyGraphError(error);
  if (kind !== 'token_expired' && kind !== 'token_revoked' && kind !== 'permission') return;
  const message = (error as Error).message;
  await setConnectionStatus(db, connection.id, kind === 'token_expired' ? 'expired' : 'revoked', message);
  deps.alerter.alert({
    kind: kind === 'permission' || kind === 'token_revoked' ? 'graph_permission_revoked' : 'graph_token_refresh_failed',
    severity: 'critical',
    subject: { connection: connection.id },
    message: `Graph connection ${connection.id}: ${message}; connect again`,
  });
  throw new PermanentTaskError(`Graph connection ${connection.id}: ${message} (code ${(error as GraphApiError).code}); connect again`);
}

function session(ctx: TaskContext, deps: GraphTaskDeps, connection: ConnectionRow): GraphSession {
  const settings = enabled(deps);
  return new GraphSession(
    new GraphClient(settings, deps.fetchImpl),
    settings.pacing,
    deps.usage ?? new GraphUsageBook(),
    `ig:${connection.ig_user_id}`,
    ctx.signal,
  );
}

const shortcodeOf = (item: GraphMediaItem) => item.shortcode ?? /\/(?:p|reel|tv)\/([^/]+)/.exec(item.permalink ?? '')?.[1] ?? null;
const mediaTypeNumber = (t: string | undefined) => (t === 'IMAGE' ? 1 : t === 'VIDEO' ? 2 : t === 'CAROUSEL_ALBUM' ? 8 : null);
/** The private API's product types, so isReel and the metrics read both sources alike. */
const productType = (t: string | undefined) => (t === 'REELS' ? 'clips' : t === 'FEED' ? 'feed' : t === 'STORY' ? 'story' : null);

/**
 * graph_discovery: business discovery of one username with the connected account's token — the blog's profile
 * figures, its latest media and the same metrics and snapshots as full_scrape (marked `source = graph`), with no
 * private-API request. A username discovery cannot see (personal, private, unknown: 110/2207013) is handed to
 * full_scrape unless the request said not to.
 */
export function graphDiscoveryHandler(deps: GraphTaskDeps): TaskHandler {
  return async (ctx) => {
    const { db, task } = ctx;
    enabled(deps);
    const username = String(task.payload['username'] ?? '').toLowerCase();
    if (!USERNAME.test(username)) throw new PermanentTaskError(`not a valid Instagram username: "${username}"`);
    if (task.blog_id === null)
      throw new PermanentTaskError('graph_discovery needs its blog (enqueue it through POST /api/graph/discovery)');
    const connection = await connectionFor(db, task.payload['connection_id']);
    const graph = session(ctx, deps, connection);
    const token = (await connectionToken(db, deps.box, connection.id))!;
    let account: Awaited<ReturnType<typeof graph.client.businessDiscovery>>;
    try {
      account = await graph.call('business discovery', (signal) =>
        graph.client.businessDiscovery(token, connection.ig_user_id!, username, deps.mediaCount, signal),
      );
    } catch (error) {
      await failOnAccess(db, deps, connection, error);
      // 110 (subcode 2207013): the username is no business/creator account discovery can see. Any other "not
      // found" concerns our own account and is an error.
      if (error instanceof GraphApiError && error.code === 110) {
        const fallback = task.payload['fallback_full_scrape'] !== false;
        const [scrape] = fallback
          ? await requestScrapes(db, { usernames: [username], priority: task.priority, source: 'graph', maxAttempts: deps.maxAttempts })
          : [];
        return {
          business_account: false,
          reason: (error as Error).message,
          full_scrape_task_id: scrape?.task.id ?? null,
          graph_requests: graph.calls,
        };
      }
      throw error;
    }
    await db
      .updateTable('blogs')
      .set({
        follower_count: account.followers_count ?? null,
        following_count: account.follows_count ?? null,
        media_count: account.media_count ?? null,
        full_name: account.name ?? null,
        biography: account.biography ?? null,
        external_url: account.website ?? null,
        avatar_url: account.profile_picture_url ?? null,
        is_business: true,
        is_private: false,
        updated_at: sql`now()`,
      })
      .where('id', '=', task.blog_id)
      .execute();
    const mediaIds = await upsertDiscoveredPosts(db, task.blog_id, account.media);
    const finished = await finishScrape(db, {
      blogId: task.blog_id,
      taskId: task.id,
      mediaPks: mediaIds,
      maxAttempts: deps.maxAttempts,
      source: 'graph',
    });
    return {
      source: 'graph',
      followers: account.followers_count ?? null,
      posts: finished.posts,
      er: finished.metrics.er,
      er_reels: finished.metrics.er_reels,
      snapshot_id: finished.snapshotId,
      graph_requests: graph.calls,
      paused_ms: graph.pausedMs,
      private_api_requests: 0,
    };
  };
}

async function upsertDiscoveredPosts(db: Kysely<Database>, blogId: number, media: readonly GraphMediaItem[]): Promise<string[]> {
  if (media.length === 0) return [];
  const rows = media.map((m) => ({
    blog_id: blogId,
    platform_id: m.id,
    shortcode: shortcodeOf(m),
    caption_text: m.caption ?? null,
    // Omitted when the owner hides it (Meta's IG Media reference): unknown, not 0, and left out of the ER.
    like_count: m.like_count ?? null,
    counts_hidden: m.like_count === undefined,
    comment_count: m.comments_count ?? null,
    media_type: mediaTypeNumber(m.media_type),
    product_type: productType(m.media_product_type),
    taken_at: m.timestamp ? new Date(m.timestamp.replace(/\+0000$/, 'Z')) : null,
    is_pinned: false,
    source: 'graph' as const,
    raw: JSON.stringify(m),
  }));
  const updated = [
    'shortcode',
    'caption_text',
    'like_count',
    'counts_hidden',
    'comment_count',
    'media_type',
    'product_type',
    'taken_at',
    'source',
    'raw',
  ] as const;
  await db
    .insertInto('blog_posts')
    .values(rows)
    .onConflict((oc) =>
      oc.columns(['blog_id', 'platform_id']).doUpdateSet((eb) => ({
        ...Object.fromEntries(updated.map((column) => [column, eb.ref(`excluded.${column}`)])),
        updated_at: sql`now()`,
      })),
    )
    .execute();
  return rows.map((r) => r.platform_id);
}

interface SyncProgress {
  media_ids?: string[];
  done?: string[];
  dropped_metrics?: string[];
}

/**
 * graph_media_sync: the connected account's newest media (GRAPH_MEDIA_SYNC_COUNT) and each one's insights, one
 * snapshot per media per run. Checkpointed after every media, so a throttle (deferred, no attempt spent) or a
 * restart resumes where it stopped. A metric the API no longer supports is dropped from the request and named in
 * the result, instead of failing every media.
 */
export function graphMediaSyncHandler(deps: GraphTaskDeps): TaskHandler {
  return async (ctx) => {
    const { db, task } = ctx;
    const settings = enabled(deps);
    const connection = await connectionFor(db, task.payload['connection_id']);
    const graph = session(ctx, deps, connection);
    const token = (await connectionToken(db, deps.box, connection.id))!;
    const progress: SyncProgress = { ...(task.progress as SyncProgress | null) };
    const dropped = new Set(progress.dropped_metrics ?? []);
    const done = new Set(progress.done ?? []);
    try {
      if (!progress.media_ids) {
        const media = await graph.call('media list', (signal) =>
          graph.client.media(token, connection.ig_user_id!, settings.mediaSyncCount, signal),
        );
        await upsertGraphMedia(db, connection, media);
        progress.media_ids = media.map((m) => m.id);
        await ctx.saveProgress({ ...progress, done: [...done], dropped_metrics: [...dropped] });
      }
      const rows = await db
        .selectFrom('graph_media')
        .select(['id', 'ig_media_id', 'media_product_type', 'like_count', 'comments_count'])
        .where('connection_id', '=', connection.id)
        .where('ig_media_id', 'in', progress.media_ids.length > 0 ? progress.media_ids : [''])
        .execute();
      for (const row of rows) {
        if (done.has(row.ig_media_id)) continue;
        ctx.signal.throwIfAborted();
        const wanted = (row.media_product_type === 'REELS' ? REEL_METRICS : FEED_METRICS).filter((m) => !dropped.has(m));
        const values = await insightsDroppingRetired(graph, token, row.ig_media_id, wanted, dropped);
        if (values) await writeSnapshot(db, task.id, row, values);
        done.add(row.ig_media_id);
        await ctx.saveProgress({ ...progress, done: [...done], dropped_metrics: [...dropped] });
      }
    } catch (error) {
      await failOnAccess(db, deps, connection, error);
      throw error;
    }
    return {
      media: progress.media_ids.length,
      snapshots: done.size,
      dropped_metrics: [...dropped],
      graph_requests: graph.calls,
      paused_ms: graph.pausedMs,
    };
  };
}

/** Insights of one media; a metric answered as retired or unsupported is dropped and the call repeated without it. */
async function insightsDroppingRetired(
  graph: GraphSession,
  token: string,
  mediaId: string,
  wanted: string[],
  dropped: Set<string>,
): Promise<Record<string, number | null> | null> {
  let metrics = [...wanted];
  for (let round = 0; round <= MAX_METRIC_DROPS && metrics.length > 0; round++) {
    try {
      return await graph.call(`insights of ${mediaId}`, (signal) => graph.client.insights(token, mediaId, metrics, signal));
    } catch (error) {
      const kind = classifyGraphError(error);
      if (kind === 'not_found') return null; // deleted since the list: nothing to snapshot
      if (kind !== 'deprecated_metric' && kind !== 'unsupported_metric') throw error;
      const named = /the (\w+) metric/.exec((error as Error).message)?.[1];
      if (!named || !metrics.includes(named)) throw error;
      metrics = metrics.filter((m) => m !== named);
      // Retired for every media; unsupported only for this one's type (not remembered).
      if (kind === 'deprecated_metric') dropped.add(named);
    }
  }
  return metrics.length === 0 ? {} : null;
}

async function upsertGraphMedia(db: Kysely<Database>, connection: ConnectionRow, media: readonly GraphMediaItem[]): Promise<void> {
  if (media.length === 0) return;
  const rows = media.map((m) => ({
    connection_id: connection.id,
    ig_user_id: connection.ig_user_id!,
    ig_media_id: m.id,
    media_type: m.media_type ?? null,
    media_product_type: m.media_product_type ?? null,
    shortcode: shortcodeOf(m),
    permalink: m.permalink ?? null,
    caption: m.caption ?? null,
    posted_at: m.timestamp ? new Date(m.timestamp.replace(/\+0000$/, 'Z')) : null,
    like_count: m.like_count ?? null,
    comments_count: m.comments_count ?? null,
  }));
  const updated = [
    'media_type',
    'media_product_type',
    'shortcode',
    'permalink',
    'caption',
    'posted_at',
    'like_count',
    'comments_count',
  ] as const;
  await db
    .insertInto('graph_media')
    .values(rows)
    .onConflict((oc) =>
      oc.columns(['connection_id', 'ig_media_id']).doUpdateSet((eb) => ({
        ...Object.fromEntries(updated.map((column) => [column, eb.ref(`excluded.${column}`)])),
        updated_at: sql`now()`,
      })),
    )
    .execute();
}

async function writeSnapshot(
  db: Kysely<Database>,
  taskId: number,
  row: { id: number; like_count: number | null; comments_count: number | null },
  values: Record<string, number | null>,
): Promise<void> {
  const v = (name: string) => values[name] ?? null;
  const snapshot = {
    like_count: row.like_count,
    comments_count: row.comments_count,
    reach: v('reach'),
    views: v('views'),
    saved: v('saved'),
    shares: v('shares'),
    total_interactions: v('total_interactions'),
    avg_watch_time_ms: v('ig_reels_avg_watch_time'),
    total_watch_time_ms: v('ig_reels_video_view_total_time'),
    metrics: JSON.stringify(values),
  };
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('graph_media_snapshots')
      .values({ media_id: row.id, task_id: taskId, ...snapshot })
      .onConflict((oc) => oc.columns(['media_id', 'task_id']).doUpdateSet({ ...snapshot, taken_at: sql`now()` }))
      .execute();
    await trx.updateTable('graph_media').set({ insights_at: sql`now()`, updated_at: sql`now()` }).where('id', '=', row.id).execute();
  });
}

export const GRAPH_SCHEDULED_PRIORITY = PRIORITY.scheduledRescrape;

/** Handlers for a process where the Graph source is not wired: each task fails at once, saying why. */
export const UNWIRED_GRAPH_DEPS = {
  settings: { enabled: false, reason: 'the Graph API source is not wired in this process' },
} as unknown as GraphTaskDeps;
