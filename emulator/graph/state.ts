/**
 * The Graph API emulator's state: the app, one Facebook user with Pages linked to Instagram professional accounts
 * of the world, authorization codes, tokens (short-lived, then 60-day long-lived), usage counters and injected
 * faults. Time comes from an injectable clock so tests can age a token by days without waiting.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { World, WorldUser } from '../world/index.js';
import type { GraphErrorSpec } from './errors.js';
import { isProfessional } from './truth.js';

export const DAY_MS = 86_400_000;
export const SHORT_LIVED_MS = 2 * 3_600_000;
/** Long-lived user tokens last 60 days (Meta: "Long-Lived Access Tokens"). */
export const LONG_LIVED_MS = 60 * DAY_MS;
/** A long-lived token can be refreshed once it is at least 24 h old. */
export const REFRESH_MIN_AGE_MS = DAY_MS;

export const DEFAULT_SCOPES = [
  'instagram_basic',
  'instagram_manage_insights',
  'pages_show_list',
  'pages_read_engagement',
  'business_management',
] as const;

export interface TokenRecord {
  token: string;
  kind: 'short' | 'long';
  userId: string;
  issuedAt: number;
  expiresAt: number;
  scopes: string[];
  /** Set when the session was invalidated (password change) or the app removed: 190/460 or 190/458. */
  revoked?: 'session_invalidated' | 'app_removed';
}

export interface GraphPage {
  id: string;
  name: string;
  category: string;
  ig: WorldUser | null;
}

export interface GraphRequestLog {
  method: string;
  path: string;
  status: number;
  errorCode?: number;
}

export interface Throttle {
  spec: GraphErrorSpec;
  until: number;
}

export interface ScriptedFault {
  spec: GraphErrorSpec;
  /** Only requests whose path matches (e.g. /insights$/); all when absent. */
  path?: RegExp;
  times: number;
}

export class GraphState {
  readonly user: { id: string; name: string };
  readonly pages: GraphPage[];
  readonly codes = new Map<string, { redirectUri: string; scopes: string[]; used: boolean }>();
  readonly tokens = new Map<string, TokenRecord>();
  readonly log: GraphRequestLog[] = [];
  readonly faults: ScriptedFault[] = [];
  throttle: Throttle | null = null;
  /** Calls of the app in the current hour; the usage headers are call_count = calls / callsPerHour. */
  calls: number[] = [];
  /** Forced usage percentages for the headers (tests of pacing); null = computed from calls. */
  forcedUsage: { app?: number; buc?: number } | null = null;
  private counter = 0;

  constructor(
    readonly world: World,
    readonly app: { id: string; secret: string },
    readonly version: string,
    readonly now: () => number,
    readonly callsPerHour: number,
  ) {
    const seed = world.options.seed;
    this.user = { id: `10${String(seed).padStart(13, '0')}`, name: 'Aigerim Team' };
    const professionals = world.creators.filter((c) => isProfessional(c) && !c.isPrivate && c.mediaCount >= 10);
    this.pages = [
      ...professionals.slice(0, 2).map((ig, i) => ({
        id: `1${String(seed).padStart(6, '0')}${String(i + 1).padStart(8, '0')}`,
        name: `${ig.fullName || ig.username} (Page)`,
        category: 'Digital creator',
        ig,
      })),
      {
        id: `1${String(seed).padStart(6, '0')}${String(9).padStart(8, '0')}`,
        name: 'Team page without Instagram',
        category: 'Brand',
        ig: null,
      },
    ];
  }

  newSecret(prefix: string): string {
    this.counter += 1;
    return `${prefix}${createHash('sha256')
      .update(`${this.counter}:${randomBytes(8).toString('hex')}`)
      .digest('base64url')
      .slice(0, 40)}`;
  }

  issueCode(redirectUri: string, scopes: string[]): string {
    const code = this.newSecret('AQ');
    this.codes.set(code, { redirectUri, scopes, used: false });
    return code;
  }

  issueToken(kind: 'short' | 'long', scopes: string[]): TokenRecord {
    const now = this.now();
    const record: TokenRecord = {
      token: this.newSecret('EAAG'),
      kind,
      userId: this.user.id,
      issuedAt: now,
      expiresAt: now + (kind === 'long' ? LONG_LIVED_MS : SHORT_LIVED_MS),
      scopes: [...scopes],
    };
    this.tokens.set(record.token, record);
    return record;
  }

  /** Counts one call of the app and answers its usage in percent (1 h sliding window). */
  countCall(): { app: number; buc: number } {
    const now = this.now();
    this.calls = this.calls.filter((t) => t > now - 3_600_000);
    this.calls.push(now);
    const computed = Math.min(100, Math.round((this.calls.length / this.callsPerHour) * 100));
    return { app: this.forcedUsage?.app ?? computed, buc: this.forcedUsage?.buc ?? computed };
  }

  pageOfIg(igPk: number): GraphPage | undefined {
    return this.pages.find((p) => p.ig?.pk === igPk);
  }

  /** The first scripted fault for this path, spending one of its times. */
  takeFault(path: string): GraphErrorSpec | undefined {
    const index = this.faults.findIndex((f) => f.times > 0 && (!f.path || f.path.test(path)));
    if (index < 0) return undefined;
    const fault = this.faults[index]!;
    fault.times -= 1;
    if (fault.times <= 0) this.faults.splice(index, 1);
    return fault.spec;
  }
}
