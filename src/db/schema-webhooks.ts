import type { ColumnType, Generated, JSONColumnType } from 'kysely';

/** The webhook tables (migrations/0021_webhooks.sql), typed once; part of `Database` in schema.ts. */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export type WebhookDeliveryStatus = 'pending' | 'delivered' | 'failed';
export const WEBHOOK_DELIVERY_STATUSES: readonly WebhookDeliveryStatus[] = ['pending', 'delivered', 'failed'];

export interface WebhookEndpointsTable {
  id: Generated<number>;
  url: string;
  description: string | null;
  events: ColumnType<string[], string[], string[]>;
  enabled: Generated<boolean>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface WebhookSecretsTable {
  id: Generated<number>;
  endpoint_id: number;
  /** Sealed by SecretBox; never selected by a query behind a view. */
  secret: string;
  created_at: Timestamp;
  retires_at: NullableTimestamp;
}

export interface WebhookEventsTable {
  id: Generated<number>;
  message_id: Generated<string>;
  event_type: string;
  payload: JSONColumnType<Record<string, unknown>, string, string>;
  created_at: Timestamp;
}

export interface WebhookDeliveriesTable {
  id: Generated<number>;
  event_id: number;
  endpoint_id: number;
  status: Generated<WebhookDeliveryStatus>;
  attempts: Generated<number>;
  next_attempt_at: Timestamp;
  locked_by: string | null;
  last_attempt_at: NullableTimestamp;
  last_status_code: number | null;
  last_error: string | null;
  delivered_at: NullableTimestamp;
  created_at: Timestamp;
}

export interface WebhookTables {
  webhook_endpoints: WebhookEndpointsTable;
  webhook_secrets: WebhookSecretsTable;
  webhook_events: WebhookEventsTable;
  webhook_deliveries: WebhookDeliveriesTable;
}
