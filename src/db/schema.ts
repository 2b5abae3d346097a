import type { ColumnType, Generated, JSONColumnType } from 'kysely';
import type { WebhookTables } from './schema-webhooks.js';
import type { GraphTables } from './schema-graph.js';

/**
 * The tables, typed once. Rows are mapped to API shapes at the edge (src/http); everything in between uses these.
 * int8 ids arrive as JS numbers (see database.ts); Instagram ids are text.
 */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json<T extends object | null = Record<string, unknown>> = JSONColumnType<T, string, string>;
type NullableJson<T = unknown> = ColumnType<T | null, string | null | undefined, string | null>;
type Numeric = ColumnType<number | null, number | null | undefined, number | null>;

export type TaskStatus = 'pending' | 'running' | 'waiting_batch' | 'done' | 'failed' | 'cancelled';
export const TASK_STATUSES = [
  'pending',
  'running',
  'waiting_batch',
  'done',
  'failed',
  'cancelled',
] as const satisfies readonly TaskStatus[];

export type ScrapeStatus = 'pending' | 'scraping' | 'analyzing' | 'active' | 'private' | 'deleted' | 'error';

export interface ScrapeTasksTable {
  id: Generated<number>;
  blog_id: number | null;
  task_type: string;
  status: Generated<TaskStatus>;
  priority: Generated<number>;
  payload: Json<Record<string, unknown>>;
  progress: NullableJson<Record<string, unknown>>;
  result: NullableJson<Record<string, unknown>>;
  dedupe_key: string | null;
  attempts: Generated<number>;
  max_attempts: Generated<number>;
  error_message: string | null;
  /** Why a pending task has not run yet (a deferral's reason); meaningful only while it is pending. */
  waiting_reason: string | null;
  last_error_at: NullableTimestamp;
  run_at: Timestamp;
  locked_by: string | null;
  locked_until: NullableTimestamp;
  started_at: NullableTimestamp;
  completed_at: NullableTimestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface PersonsTable {
  id: Generated<number>;
  full_name: string | null;
  created_at: Timestamp;
}

export interface BlogsTable {
  id: Generated<number>;
  platform: Generated<string>;
  username: string;
  platform_id: string | null;
  person_id: number | null;
  full_name: string | null;
  biography: string | null;
  avatar_url: string | null;
  follower_count: number | null;
  following_count: number | null;
  media_count: number | null;
  is_verified: boolean | null;
  is_business: boolean | null;
  is_private: boolean | null;
  business_category: string | null;
  external_url: string | null;
  er: Numeric;
  er_reels: Numeric;
  er_trend: 'growing' | 'stable' | 'declining' | null;
  posts_per_week: Numeric;
  /** Non-pinned posts of the last scrape left out of the ER because their owner hid the counts (migration 0019). */
  er_posts_hidden: number | null;
  scrape_status: Generated<ScrapeStatus>;
  status_reason: string | null;
  scraped_at: NullableTimestamp;
  ai_insights: NullableJson<Record<string, unknown>>;
  ai_confidence: Numeric;
  ai_analyzed_at: NullableTimestamp;
  /** Migration 0020: hash of the prompt material of the last successful analysis (src/ai/jsonl.ts promptHash). */
  ai_prompt_hash: Generated<string | null>;
  source: Generated<string>;
  raw: NullableJson;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface BlogPostsTable {
  id: Generated<number>;
  blog_id: number;
  platform_id: string;
  shortcode: string | null;
  caption_text: string | null;
  hashtags: Generated<string[]>;
  mentions: Generated<string[]>;
  like_count: number | null;
  comment_count: number | null;
  play_count: number | null;
  media_type: number | null;
  product_type: string | null;
  thumbnail_url: string | null;
  location_name: string | null;
  location_lat: number | null;
  location_lng: number | null;
  taken_at: NullableTimestamp;
  is_pinned: Generated<boolean>;
  /** like_and_view_counts_disabled: like_count and play_count are NULL (unknown), and the post is left out of the ER. */
  counts_hidden: Generated<boolean>;
  /** Who posted it: for a collab post in this blog's feed, possibly another account (migration 0019). */
  author_username: string | null;
  coauthors: Generated<string[]>;
  is_sponsored: Generated<boolean>;
  sponsor_signals: Generated<string[]>;
  brands: Generated<string[]>;
  raw: NullableJson;
  /** private_api (full_scrape) or graph (graph_discovery), migration 0027. */
  source: Generated<'private_api' | 'graph'>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface BlogHighlightsTable {
  id: Generated<number>;
  blog_id: number;
  platform_id: string;
  title: string | null;
  media_count: number | null;
  cover_url: string | null;
  story_mentions: Generated<string[]>;
  story_locations: Generated<string[]>;
  story_links: Generated<string[]>;
  raw: NullableJson;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface BlogSnapshotsTable {
  id: Generated<number>;
  blog_id: number;
  task_id: number | null;
  follower_count: number | null;
  following_count: number | null;
  media_count: number | null;
  er: Numeric;
  er_reels: Numeric;
  er_trend: 'growing' | 'stable' | 'declining' | null;
  posts_per_week: Numeric;
  posts_fetched: Generated<number>;
  taken_at: Timestamp;
  /** private_api (full_scrape) or graph (graph_discovery), migration 0027. */
  source: Generated<'private_api' | 'graph'>;
}

export interface BlogPostSnapshotsTable {
  id: Generated<number>;
  snapshot_id: number;
  post_id: number;
  like_count: number | null;
  comment_count: number | null;
  play_count: number | null;
  taken_at: Timestamp;
}

export interface CategoriesTable {
  id: Generated<number>;
  name: string;
  created_at: Timestamp;
}

export interface BlogCategoriesTable {
  blog_id: number;
  category_id: number;
  is_primary: Generated<boolean>;
}

export type AccountStatus = 'active' | 'cooldown' | 'login_required' | 'challenge' | 'banned' | 'proxy_error' | 'disabled';
export const ACCOUNT_STATUSES = [
  'active',
  'cooldown',
  'login_required',
  'challenge',
  'banned',
  'proxy_error',
  'disabled',
] as const satisfies readonly AccountStatus[];
export type ProxyStatus = 'active' | 'failed' | 'disabled';
export type ProxyType = 'http' | 'socks5';

export interface ProxiesTable {
  id: Generated<number>;
  url_encrypted: string;
  label: string;
  type: ProxyType;
  status: Generated<ProxyStatus>;
  consecutive_failures: Generated<number>;
  success_count: Generated<number>;
  failure_count: Generated<number>;
  latency_ms: number | null;
  last_check_at: NullableTimestamp;
  last_error: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface IgAccountsTable {
  id: Generated<number>;
  username: string;
  password_encrypted: string;
  session_encrypted: string | null;
  /** Plaintext seed of a row written before migration 0012; NULL once the daemon sealed it. */
  device_seed: string | null;
  /** The device seed, sealed (src/accounts/device-seed.ts). */
  device_seed_encrypted: string | null;
  proxy_id: number | null;
  status: Generated<AccountStatus>;
  status_reason: string | null;
  status_changed_at: Timestamp;
  cooldown_until: NullableTimestamp;
  challenge_count: Generated<number>;
  /** Network failures of the account's own route in a row (no proxy to blame), for its growing cooldown. */
  route_failures: Generated<number>;
  leased_by: string | null;
  leased_until: NullableTimestamp;
  last_request_at: NullableTimestamp;
  last_used_at: NullableTimestamp;
  last_login_at: NullableTimestamp;
  last_validated_at: NullableTimestamp;
  warmup_started_at: Timestamp;
  requests_total: Generated<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export type ActivityKind = 'request' | 'login' | 'status' | 'proxy_check' | 'validation';

export interface ActivityLogTable {
  id: Generated<number>;
  account_id: number | null;
  proxy_id: number | null;
  task_id: number | null;
  kind: ActivityKind;
  action: string;
  outcome: string;
  http_status: number | null;
  duration_ms: number | null;
  error: string | null;
  created_at: Timestamp;
}

export type AudienceKind = 'followers' | 'following';

export interface AudienceEdgesTable {
  blog_id: number;
  kind: AudienceKind;
  platform_id: string;
  username: string;
  full_name: string | null;
  is_private: boolean | null;
  is_verified: boolean | null;
  avatar_url: string | null;
  seen_by_task: number;
  first_seen_at: Timestamp;
  last_seen_at: Timestamp;
}

export interface AudienceListsTable {
  blog_id: number;
  kind: AudienceKind;
  task_id: number;
  status: 'fetching' | 'done';
  fetched: Generated<number>;
  expected: number | null;
  complete: Generated<boolean>;
  started_at: Timestamp;
  completed_at: NullableTimestamp;
}

export interface AudienceQualityTable {
  blog_id: number;
  task_id: number;
  tier: 'quick' | 'deep';
  sample_size: number;
  deep_sample_size: Generated<number>;
  requests: number;
  credibility: number | null;
  credibility_low: number | null;
  credibility_high: number | null;
  components: Json;
  computed_at: Timestamp;
}

export type AiBatchStatus =
  | 'building'
  | 'validating'
  | 'in_progress'
  | 'finalizing'
  | 'cancelling'
  | 'completed'
  | 'expired'
  | 'failed'
  | 'cancelled'
  | 'submit_failed'
  | 'abandoned';

export interface AiBatchesTable {
  id: Generated<number>;
  openai_batch_id: string | null;
  tag: string;
  status: Generated<AiBatchStatus>;
  model: string;
  categories: Generated<string[]>;
  input_file_id: string | null;
  output_file_id: string | null;
  error_file_id: string | null;
  request_count: Generated<number>;
  input_bytes: Generated<number>;
  /** Input tokens estimated at build (src/ai/tokens.ts), for the enqueued limit; 0 on batches built before migration 0017. */
  estimated_tokens: Generated<number>;
  ok_count: Generated<number>;
  refused_count: Generated<number>;
  invalid_count: Generated<number>;
  error_count: Generated<number>;
  missing_count: Generated<number>;
  input_tokens: Generated<number>;
  output_tokens: Generated<number>;
  total_tokens: Generated<number>;
  error: string | null;
  locked_by: string | null;
  locked_until: NullableTimestamp;
  submitted_at: NullableTimestamp;
  last_polled_at: NullableTimestamp;
  finished_at: NullableTimestamp;
  cancel_requested_at: NullableTimestamp;
  processed_at: NullableTimestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export type AiItemOutcome = 'ok' | 'refused' | 'invalid' | 'error' | 'missing';

export interface AiBatchItemsTable {
  batch_id: number;
  custom_id: string;
  task_id: number;
  blog_id: number;
  outcome: AiItemOutcome | null;
  detail: string | null;
  input_tokens: number | null;
  output_tokens: number | null;
  /** Migration 0020: the reasoning part of output_tokens, and the hash of the line's prompt material. */
  reasoning_tokens: Generated<number | null>;
  prompt_hash: Generated<string | null>;
  applied_at: NullableTimestamp;
}

export interface SchedulerRunsTable {
  job: string;
  tick: Timestamp;
  run_by: string;
  status: Generated<'running' | 'done' | 'failed' | 'skipped'>;
  started_at: Timestamp;
  finished_at: NullableTimestamp;
  result: NullableJson<Record<string, unknown>>;
  error: string | null;
}

export interface SchemaMigrationsTable {
  name: string;
  applied_at: Timestamp;
}

export interface Database extends WebhookTables, GraphTables {
  scrape_tasks: ScrapeTasksTable;
  persons: PersonsTable;
  blogs: BlogsTable;
  blog_posts: BlogPostsTable;
  blog_highlights: BlogHighlightsTable;
  blog_snapshots: BlogSnapshotsTable;
  blog_post_snapshots: BlogPostSnapshotsTable;
  categories: CategoriesTable;
  blog_categories: BlogCategoriesTable;
  proxies: ProxiesTable;
  ig_accounts: IgAccountsTable;
  activity_log: ActivityLogTable;
  schema_migrations: SchemaMigrationsTable;
  scheduler_runs: SchedulerRunsTable;
  audience_edges: AudienceEdgesTable;
  audience_lists: AudienceListsTable;
  audience_quality: AudienceQualityTable;
  ai_batches: AiBatchesTable;
  ai_batch_items: AiBatchItemsTable;
  similar_accounts: SimilarAccountsTable;
  blog_embeddings: BlogEmbeddingsTable;
  embedding_batches: EmbeddingBatchesTable;
}

/** migrations/0022_lookalikes.sql */
export interface SimilarAccountsTable {
  blog_id: number;
  username: string;
  platform_id: string | null;
  full_name: string | null;
  is_private: boolean | null;
  is_verified: boolean | null;
  position: number;
  task_id: number;
  fetched_at: Timestamp;
}

export interface BlogEmbeddingsTable {
  blog_id: number;
  model: string;
  dimensions: number;
  text_hash: string;
  embedding: number[];
  embedded_at: Timestamp;
}

export interface EmbeddingBatchesTable {
  id: Generated<number>;
  openai_batch_id: string | null;
  status: Generated<string>;
  model: string;
  dimensions: number;
  blog_ids: number[];
  text_hashes: string[];
  ok_count: Generated<number>;
  error_count: Generated<number>;
  total_tokens: Generated<number>;
  error: string | null;
  created_at: Timestamp;
  processed_at: NullableTimestamp;
}
