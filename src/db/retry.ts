/**
 * Postgres aborts one of two transactions that wait on each other (40P01 deadlock_detected) or that cannot be
 * serialized (40001 serialization_failure); the aborted one did nothing and may simply run again. Enqueue paths lock
 * rows in a sorted order so that neither should happen; this is the bounded belt to those braces, so a request never
 * answers 500 for a conflict that a second try resolves.
 */
const RETRYABLE_CODES = new Set(['40P01', '40001']);

export const isTransactionConflict = (error: unknown): boolean =>
  RETRYABLE_CODES.has((error as { code?: string } | undefined)?.code ?? '');

export async function retryOnConflict<T>(run: () => Promise<T>, options: { attempts?: number } = {}): Promise<T> {
  const attempts = options.attempts ?? 3;
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      if (attempt >= attempts || !isTransactionConflict(error)) throw error;
      // A short random pause, so the two that collided do not collide again at once.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
    }
  }
}
