import type { ColumnType, Generated, JSONColumnType } from 'kysely';

/** Tables of the Graph API source (migrations/0027_graph.sql), kept apart from schema.ts to ease merging. */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json<T extends object> = JSONColumnType<T, string | undefined, string>;

export type GraphConnectionStatus = 'active' | 'expired' | 'revoked' | 'refresh_failed';

export interface GraphOauthStatesTable {
  state_hash: string;
  expires_at: ColumnType<Date, Date | string, Date | string>;
  created_at: Timestamp;
}

export interface GraphConnectionsTable {
  id: Generated<number>;
  fb_user_id: string;
  fb_user_name: string | null;
  token_encrypted: string;
  token_issued_at: ColumnType<Date, Date | string, Date | string>;
  token_expires_at: NullableTimestamp;
  scopes: Generated<string[]>;
  status: Generated<GraphConnectionStatus>;
  status_reason: string | null;
  ig_user_id: string | null;
  ig_username: string | null;
  page_id: string | null;
  page_name: string | null;
  last_refreshed_at: NullableTimestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface GraphBriefsTable {
  id: Generated<number>;
  name: string;
  script_version: string | null;
  expected: Json<Record<string, unknown>>;
  notes: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface GraphMediaTable {
  id: Generated<number>;
  connection_id: number;
  ig_user_id: string;
  ig_media_id: string;
  media_type: string | null;
  media_product_type: string | null;
  shortcode: string | null;
  permalink: string | null;
  caption: string | null;
  posted_at: NullableTimestamp;
  like_count: number | null;
  comments_count: number | null;
  brief_id: number | null;
  insights_at: NullableTimestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface GraphMediaSnapshotsTable {
  id: Generated<number>;
  media_id: number;
  task_id: number | null;
  like_count: number | null;
  comments_count: number | null;
  reach: number | null;
  views: number | null;
  saved: number | null;
  shares: number | null;
  total_interactions: number | null;
  avg_watch_time_ms: number | null;
  total_watch_time_ms: number | null;
  metrics: Json<Record<string, number | null>>;
  taken_at: Timestamp;
}

export interface GraphTables {
  graph_oauth_states: GraphOauthStatesTable;
  graph_connections: GraphConnectionsTable;
  graph_briefs: GraphBriefsTable;
  graph_media: GraphMediaTable;
  graph_media_snapshots: GraphMediaSnapshotsTable;
}
