import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

/**
 * Cross-process guards for cron ticks. A tick is taken by inserting its (job, tick) row: exactly one process
 * succeeds. A tick whose previous run of the same job is still going (and not stale) is recorded as skipped, so
 * runs of one job never overlap, anywhere.
 */
export type TickClaim = 'run' | 'taken' | 'overlap';

export async function claimTick(db: Kysely<Database>, job: string, tick: Date, runBy: string, maxRuntimeMs: number): Promise<TickClaim> {
  return db.transaction().execute(async (trx) => {
    // Serialise the claims of one job so "is a run still going?" and "take the tick" are one decision.
    await sql`SELECT pg_advisory_xact_lock(hashtext(${`scheduler:${job}`}))`.execute(trx);
    const running = await trx
      .selectFrom('scheduler_runs')
      .select('tick')
      .where('job', '=', job)
      .where('status', '=', 'running')
      .where('started_at', '>', sql<Date>`now() - ${maxRuntimeMs} * interval '1 millisecond'`)
      .executeTakeFirst();
    const inserted = await trx
      .insertInto('scheduler_runs')
      .values({
        job,
        tick,
        run_by: runBy,
        status: running ? 'skipped' : 'running',
        finished_at: running ? sql`now()` : null,
        error: running ? `previous run (tick ${running.tick.toISOString()}) still going` : null,
      })
      .onConflict((oc) => oc.columns(['job', 'tick']).doNothing())
      .returning('status')
      .executeTakeFirst();
    if (!inserted) return 'taken';
    return inserted.status === 'skipped' ? 'overlap' : 'run';
  });
}

export async function finishTick(
  db: Kysely<Database>,
  job: string,
  tick: Date,
  outcome: { status: 'done'; result?: Record<string, unknown> } | { status: 'failed'; error: string },
): Promise<void> {
  await db
    .updateTable('scheduler_runs')
    .set({
      status: outcome.status,
      finished_at: sql`now()`,
      result: outcome.status === 'done' && outcome.result ? JSON.stringify(outcome.result) : null,
      error: outcome.status === 'failed' ? outcome.error.slice(0, 2000) : null,
    })
    .where('job', '=', job)
    .where('tick', '=', tick)
    .execute();
}
