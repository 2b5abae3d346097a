/**
 * The events an endpoint can subscribe to (issue 18). The first four are written by triggers in the transaction of
 * the change they report (migrations/0021_webhooks.sql); `alert.raised` by the alerter (src/alerts) when an alert
 * passes its throttle. `webhook.test` is only ever sent by "send test event", to the one endpoint asked for.
 */
export const WEBHOOK_EVENT_TYPES = ['task.completed', 'task.failed', 'blog.analyzed', 'followers.completed', 'alert.raised'] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export const TEST_EVENT_TYPE = 'webhook.test';

export function isWebhookEventType(name: string): name is WebhookEventType {
  return (WEBHOOK_EVENT_TYPES as readonly string[]).includes(name);
}
