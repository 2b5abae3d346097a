/** Everything mutable about one emulator instance, passed to the pipeline and handlers. */
import type { LoginOutcome, World } from '../world/index.js';
import type { EmulatorClock } from './clock.js';
import { FaultRegistry } from './faults.js';
import { Limits } from './limits.js';
import { RequestLog } from './log.js';
import type { PasswordKey } from './password.js';
import { SessionStore } from './sessions.js';

export class EmulatorState {
  readonly sessions: SessionStore;
  readonly faults: FaultRegistry;
  readonly limits = new Limits();
  readonly log = new RequestLog();
  /** Runtime overrides of the world's login behaviour per account. */
  readonly loginOutcomes = new Map<string, LoginOutcome>();
  /** two_factor_identifier → username, for accounts/two_factor_login/. */
  readonly pendingTwoFactor = new Map<string, string>();
  /** The simulated day profiles answer with (world/growth.ts); null: today. */
  day: number | null = null;

  constructor(
    readonly world: World,
    readonly clock: EmulatorClock,
    readonly passwordKey: PasswordKey,
  ) {
    this.sessions = new SessionStore(world.options.seed);
    this.faults = new FaultRegistry(world.options.seed);
  }

  loginOutcomeFor(username: string): LoginOutcome {
    return this.loginOutcomes.get(username) ?? this.world.account(username)?.loginBehaviour ?? 'ok';
  }
}
