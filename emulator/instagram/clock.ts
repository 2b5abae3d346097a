/**
 * Clocks for rate-limit windows and session lifetimes. Only behaviour depends on the clock;
 * response bodies never do (they use the world epoch), which keeps them byte-identical.
 */
export interface EmulatorClock {
  /** Milliseconds. */
  now(): number;
}

export const systemClock = (): EmulatorClock => ({ now: () => Date.now() });

/** A clock that only moves when told: tests can "wait" an hour instantly. */
export class ManualClock implements EmulatorClock {
  constructor(private current = 0) {}
  now(): number {
    return this.current;
  }
  advance(ms: number): void {
    this.current += ms;
  }
  set(ms: number): void {
    this.current = ms;
  }
}

/** Real time sped up by `factor` (60 ⇒ an hour passes in a minute). */
export function scaledClock(factor: number, start = Date.now()): EmulatorClock {
  return { now: () => start + (Date.now() - start) * factor };
}
