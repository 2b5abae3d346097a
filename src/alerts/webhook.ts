import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { AlertEvent, AlertKind, Alerter } from './alerter.js';

/** What the receiver gets, one POST per alert sent. */
export interface AlertPayload {
  kind: AlertKind;
  severity: 'warning' | 'critical';
  message: string;
  subject: Record<string, string | number>;
  /** ISO 8601 time of the alert that is sent (the latest of its repeats). */
  at: string;
  service: 'ig-scout';
  /** Repeats of the same kind + subject that were not sent since the previous one was. */
  suppressed_repeats: number;
}

export interface WebhookAlerterOptions {
  /** Without a URL alerts are only logged. */
  url?: string;
  /** The same kind + subject is sent at most once per this many ms (0: every time). */
  throttleMs: number;
  logger: Logger;
  timeoutMs?: number;
  /** Also hands every alert that passes the throttle to this (the `alert.raised` webhook event); must not throw. */
  forward?: (payload: AlertPayload) => void;
  /** Injectable clock, so tests check throttling without sleeping. */
  now?: () => number;
}

/** Kinds that mean "work has stopped or an account is lost" are critical unless the producer says otherwise. */
const DEFAULT_SEVERITY: Record<AlertKind, 'warning' | 'critical'> = {
  account_needs_human: 'warning',
  account_banned: 'critical',
  account_cooldown_long: 'warning',
  no_usable_account: 'critical',
  session_refresh_failed: 'warning',
  proxy_failed: 'warning',
  app_outdated: 'critical',
  batch_failed: 'warning',
  graph_token_refresh_failed: 'critical',
  graph_permission_revoked: 'critical',
};

const DEFAULT_TIMEOUT_MS = 5_000;
/** Above this many remembered keys, entries whose window has passed (and owe no count) are forgotten. */
const PRUNE_ABOVE = 1_000;

interface ThrottleState {
  lastSentAt: number;
  suppressed: number;
}

/**
 * Alerts to a webhook (SPEC §10), throttled per kind + subject. `alert()` never throws and never waits: delivery
 * runs in the background, and a receiver that is down, slow or answering 500 costs one warn line, nothing more —
 * an alert about a problem must not become a second problem.
 */
export class WebhookAlerter implements Alerter {
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly timeoutMs: number;
  private readonly target: string | undefined;
  private readonly endpoint: { url: string; headers: Record<string, string> } | undefined;
  private readonly throttle = new Map<string, ThrottleState>();
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly options: WebhookAlerterOptions) {
    this.logger = options.logger.child({ component: 'alerts' });
    this.now = options.now ?? Date.now;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.target = options.url ? safeTarget(options.url) : undefined;
    this.endpoint = options.url ? splitCredentials(options.url) : undefined;
  }

  alert(event: AlertEvent): void {
    try {
      this.handle(event);
    } catch (error) {
      // A bug here must not break the caller (often an error path of the pool).
      this.logger.warn({ err: error, alert: event.kind }, 'alert could not be handled');
    }
  }

  /** Resolves when every delivery started so far has finished (for shutdown and tests). */
  async flush(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private handle(event: AlertEvent): void {
    const severity = event.severity ?? DEFAULT_SEVERITY[event.kind] ?? 'warning';
    const subject = event.subject ?? {};
    const key = throttleKey(event.kind, subject);
    const at = this.now();
    const state = this.throttle.get(key);
    const throttled = state !== undefined && this.options.throttleMs > 0 && at - state.lastSentAt < this.options.throttleMs;

    // Every alert reaches the log, throttled or not: the log is the complete record, the webhook the summary.
    const line = { alert: event.kind, severity, subject, ...(throttled ? { throttled: true } : {}) };
    if (severity === 'critical') this.logger.error(line, event.message);
    else this.logger.warn(line, event.message);

    if (throttled) {
      state.suppressed += 1;
      return;
    }
    const suppressed = state?.suppressed ?? 0;
    this.throttle.set(key, { lastSentAt: at, suppressed: 0 });
    this.prune(at);
    const payload: AlertPayload = {
      kind: event.kind,
      severity,
      message: event.message,
      subject,
      at: new Date(at).toISOString(),
      service: 'ig-scout',
      suppressed_repeats: suppressed,
    };
    this.options.forward?.(payload);
    if (!this.endpoint) return;
    const delivery = this.deliver(this.endpoint, payload);
    this.inFlight.add(delivery);
    void delivery.finally(() => this.inFlight.delete(delivery));
  }

  /** Never rejects: every failure becomes one warn line naming the receiver by origin only. */
  private async deliver(endpoint: { url: string; headers: Record<string, string> }, payload: AlertPayload): Promise<void> {
    try {
      const response = await fetch(endpoint.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'ig-scout-alerts', ...endpoint.headers },
        body: JSON.stringify(payload),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      await response.body?.cancel().catch(() => undefined); // free the socket; the answer carries nothing we use
      if (!response.ok) {
        this.logger.warn({ alert: payload.kind, target: this.target, status: response.status }, 'alert webhook refused the alert');
      }
    } catch (error) {
      const reason = isTimeout(error) ? `no answer within ${this.timeoutMs} ms` : describe(error);
      this.logger.warn({ alert: payload.kind, target: this.target, reason }, 'alert webhook unreachable');
    }
  }

  private prune(at: number): void {
    if (this.throttle.size <= PRUNE_ABOVE) return;
    for (const [key, state] of this.throttle) {
      if (state.suppressed === 0 && at - state.lastSentAt >= this.options.throttleMs) this.throttle.delete(key);
    }
  }
}

/** The alerter of the daemon: the webhook when ALERT_WEBHOOK_URL is set, else the log only. */
export function createAlerter(
  config: Pick<Config, 'ALERT_WEBHOOK_URL' | 'ALERT_THROTTLE_MS'>,
  logger: Logger,
  forward?: (payload: AlertPayload) => void,
): WebhookAlerter {
  return new WebhookAlerter({ url: config.ALERT_WEBHOOK_URL, throttleMs: config.ALERT_THROTTLE_MS, logger, forward });
}

/** Subject keys sorted, so {a, b} and {b, a} throttle together. */
function throttleKey(kind: string, subject: Record<string, string | number>): string {
  const entries = Object.entries(subject).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `${kind}\u0000${JSON.stringify(entries)}`;
}

/**
 * Scheme, host and port only. Webhook URLs often carry their secret in the path (Slack, Discord) or the query,
 * and credentials in the userinfo, so none of those may reach a log line.
 */
export function safeTarget(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '[unparseable url]';
  }
}

/** fetch refuses URLs with user:pass@ (and would print them in its error): send them as Basic auth instead. */
function splitCredentials(url: string): { url: string; headers: Record<string, string> } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { url, headers: {} }; // delivery fails and says so in one warn line
  }
  if (!parsed.username && !parsed.password) return { url, headers: {} };
  const basic = Buffer.from(`${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`).toString('base64');
  parsed.username = '';
  parsed.password = '';
  return { url: parsed.toString(), headers: { authorization: `Basic ${basic}` } };
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
}

/** fetch wraps the network error in `cause`; its code (ECONNREFUSED, ENOTFOUND) is what an operator needs. */
function describe(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code) return cause.code;
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/[a-z][a-z0-9+.-]*:\/\/\S+/gi, '[url]'); // an error quoting the URL must not leak it
}
