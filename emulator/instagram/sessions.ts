/**
 * Login sessions. A session is found from the `sessionid` cookie or from the
 * `Authorization: Bearer IGT:2:<base64 json>` header (dilame sends both after a login).
 * Session ids are derived from a counter and the seed, never from randomness or time.
 */
import { createHash } from 'node:crypto';
import type { IgRequest } from './types.js';

export interface Session {
  id: string;
  username: string;
  pk: number;
  csrftoken: string;
  createdAt: number;
  /** Authenticated requests answered with this session. */
  requests: number;
  expired: boolean;
}

export class SessionStore {
  private readonly sessions = new Map<string, Session>();
  private counter = 0;

  constructor(private readonly seed: number) {}

  create(username: string, pk: number, now: number): Session {
    this.counter += 1;
    const digest = createHash('sha256').update(`${this.seed}:${username}:${this.counter}`).digest('hex');
    const session: Session = {
      id: `${pk}:${digest.slice(0, 14)}:${this.counter}`,
      username,
      pk,
      csrftoken: digest.slice(20, 52),
      createdAt: now,
      requests: 0,
      expired: false,
    };
    this.sessions.set(session.id, session);
    return session;
  }

  /** The session the request carries, valid or not. */
  find(req: IgRequest): Session | undefined {
    const fromCookie = req.cookies['sessionid'];
    const id = fromCookie ? decodeURIComponent(fromCookie) : sessionIdFromAuthorization(req.headers.authorization);
    return id ? this.sessions.get(id) : undefined;
  }

  expireAll(username: string): number {
    let count = 0;
    for (const session of this.sessions.values()) {
      if (session.username === username && !session.expired) {
        session.expired = true;
        count += 1;
      }
    }
    return count;
  }

  list(): Session[] {
    return [...this.sessions.values()];
  }

  clear(): void {
    this.sessions.clear();
  }
}

function sessionIdFromAuthorization(header: string | undefined): string | undefined {
  const prefix = 'Bearer IGT:2:';
  if (!header?.startsWith(prefix)) return undefined;
  try {
    const payload = JSON.parse(Buffer.from(header.slice(prefix.length), 'base64').toString('utf8')) as { sessionid?: unknown };
    return typeof payload.sessionid === 'string' ? decodeURIComponent(payload.sessionid) : undefined;
  } catch {
    return undefined;
  }
}

/** The `ig-set-authorization` value for a session, as the real server sends it after login. */
export function authorizationHeader(session: Session): string {
  const payload = { ds_user_id: String(session.pk), sessionid: encodeURIComponent(session.id), should_use_header_over_cookies: true };
  return `Bearer IGT:2:${Buffer.from(JSON.stringify(payload)).toString('base64')}`;
}
