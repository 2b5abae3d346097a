import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** One signed-in browser: its expiry and the CSRF token every state-changing form must carry. */
export interface ConsoleSession {
  expiresAt: number;
  csrf: string;
  /** What the last action answered, shown once by the next page (post → redirect → get). */
  flash?: { ok: boolean; text: string };
}

/**
 * Console sessions, in this process's memory. A session id is 32 random bytes (only its hash is kept, so a heap
 * dump does not hand out live cookies). Restarting the daemon signs everyone out, which is fine for a team console
 * and keeps sessions out of the database.
 */
export class SessionStore {
  private readonly sessions = new Map<string, ConsoleSession>();

  constructor(
    readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  create(): { id: string; session: ConsoleSession } {
    this.sweep();
    const id = randomBytes(32).toString('base64url');
    const session = { expiresAt: this.now() + this.ttlMs, csrf: randomBytes(24).toString('base64url') };
    this.sessions.set(hash(id), session);
    return { id, session };
  }

  get(id: string | undefined): ConsoleSession | undefined {
    if (!id) return undefined;
    const session = this.sessions.get(hash(id));
    if (!session) return undefined;
    if (session.expiresAt <= this.now()) {
      this.sessions.delete(hash(id));
      return undefined;
    }
    return session;
  }

  delete(id: string | undefined) {
    if (id) this.sessions.delete(hash(id));
  }

  private sweep() {
    const now = this.now();
    for (const [key, session] of this.sessions) if (session.expiresAt <= now) this.sessions.delete(key);
  }
}

/** Compares two secrets in constant time (hashed first, so lengths do not leak either). */
export function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

const digest = (value: string) => createHash('sha256').update(value).digest();
const hash = (value: string) => digest(value).toString('base64url');
