import { CliError, EXIT, type ExitCode } from './exit-codes.js';
import type { CliSettings } from './settings.js';

/**
 * The CLI's one door to the daemon: the HTTP API with the bearer key. Every failure becomes a CliError with a
 * message a person can act on and the exit code a script can check (exit-codes.ts).
 */
export class ApiClient {
  constructor(private readonly settings: CliSettings) {}

  get url(): string {
    return this.settings.url;
  }

  get pollMs(): number {
    return this.settings.pollMs;
  }

  async get<T>(route: string, query?: Record<string, string | number | undefined>): Promise<T> {
    return this.json<T>('GET', withQuery(route, query));
  }

  async post<T>(route: string, body?: unknown): Promise<T> {
    return this.json<T>('POST', route, body);
  }

  /** A JSON answer; `allow` lists non-2xx statuses whose body is still the answer (health's 503). */
  async json<T>(method: string, route: string, body?: unknown, allow: number[] = []): Promise<T> {
    const response = await this.send(method, route, body, AbortSignal.timeout(this.settings.requestTimeoutMs));
    if (!response.ok && !allow.includes(response.status)) throw await this.failure(response, `${method} ${route}`);
    try {
      return (await response.json()) as T;
    } catch {
      throw new CliError(EXIT.daemon, `${method} ${route}: the daemon's answer was not JSON (is ${this.url} an ig-scout daemon?)`);
    }
  }

  /**
   * A streamed answer (an export): the time limit covers the wait for its headers only, since a million rows take
   * longer than any one call should.
   */
  async stream(route: string, query?: Record<string, string | number | undefined>): Promise<ReadableStream<Uint8Array>> {
    const path = withQuery(route, query);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new DOMException('timed out', 'TimeoutError')), this.settings.requestTimeoutMs);
    let response: Response;
    try {
      response = await this.send('GET', path, undefined, controller.signal);
    } finally {
      clearTimeout(timer);
    }
    if (!response.ok) throw await this.failure(response, `GET ${path}`);
    if (!response.body) throw new CliError(EXIT.daemon, `GET ${path}: the daemon sent no body`);
    return response.body;
  }

  private async send(method: string, path: string, body: unknown, signal: AbortSignal): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json, text/csv, application/x-ndjson' };
    if (this.settings.apiKey) headers.authorization = `Bearer ${this.settings.apiKey}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    try {
      return await fetch(`${this.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
    } catch (error) {
      throw new CliError(
        EXIT.unreachable,
        `cannot reach the ig-scout daemon at ${this.url}: ${networkReason(error, this.settings.requestTimeoutMs)}. Is it running? (set IG_SCOUT_URL to its address)`,
      );
    }
  }

  private async failure(response: Response, what: string): Promise<CliError> {
    const text = await response.text().catch(() => '');
    let message = text.slice(0, 500).trim() || response.statusText;
    try {
      const parsed = JSON.parse(text) as { error?: { message?: string } };
      if (parsed.error?.message) message = parsed.error.message;
    } catch {
      // not the API's error shape: keep the text
    }
    if (response.status === 401 || response.status === 403) {
      const hint = this.settings.apiKey
        ? `the key from ${this.settings.keySource} was refused`
        : `no API key found (looked in ${this.settings.keySource})`;
      return new CliError(EXIT.unreachable, `${what}: ${response.status} ${message} — ${hint}`);
    }
    return new CliError(exitCodeOf(response.status), `${what}: ${response.status} ${message}`);
  }
}

export function exitCodeOf(status: number): ExitCode {
  if (status === 409) return EXIT.failed;
  if (status >= 400 && status < 500) return EXIT.usage;
  return EXIT.daemon;
}

function withQuery(route: string, query?: Record<string, string | number | undefined>): string {
  if (!query) return route;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) params.append(key, String(value));
  const text = params.toString();
  return text ? `${route}${route.includes('?') ? '&' : '?'}${text}` : route;
}

/** fetch's "fetch failed" hides the reason in `cause`: ECONNREFUSED, ENOTFOUND, a timeout. */
function networkReason(error: unknown, timeoutMs: number): string {
  const err = error as { name?: string; cause?: { code?: string; message?: string }; message?: string };
  if (err.name === 'TimeoutError' || err.name === 'AbortError') return `no answer within ${timeoutMs} ms (IG_SCOUT_TIMEOUT_MS)`;
  return err.cause?.code ?? err.cause?.message ?? err.message ?? String(error);
}
