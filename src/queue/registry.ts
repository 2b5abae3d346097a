import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Logger } from '../logger.js';
import { deferralOf } from './errors.js';
import { BULK_CLAIMED_TYPES, type ClaimedTask } from './task.js';

export interface TaskContext {
  task: ClaimedTask;
  db: Kysely<Database>;
  logger: Logger;
  /** Aborted when the task is cancelled, its lease is lost, or the process shuts down: stop at the next safe point. */
  signal: AbortSignal;
  /** Checkpoints progress (visible on GET /api/tasks/{id}); false when the lease is gone. */
  saveProgress(progress: Record<string, unknown>): Promise<boolean>;
}

/** What a finished task reports, stored in scrape_tasks.result. */
export type TaskHandler = (context: TaskContext) => Promise<Record<string, unknown> | void>;

export interface TaskDefinition {
  type: string;
  handler: TaskHandler;
  /** Runs on an Instagram account: claimed only while one is usable (see src/tasks/claim-plan.ts). */
  needsAccount?: boolean;
}

/** The one place where task types are known to the runner. */
export class TaskRegistry {
  private readonly definitions = new Map<string, TaskDefinition>();

  register(definition: TaskDefinition): this {
    if (this.definitions.has(definition.type)) throw new Error(`task type ${definition.type} is registered twice`);
    if ((BULK_CLAIMED_TYPES as readonly string[]).includes(definition.type)) {
      throw new Error(`task type ${definition.type} is claimed in bulk, never by the runner (see BULK_CLAIMED_TYPES)`);
    }
    const handler = definition.handler;
    // A lower layer's "wait until" (deferralOf) reaches the runner as the DeferTaskError it knows.
    const deferring: TaskHandler = async (context) => {
      try {
        return await handler(context);
      } catch (error) {
        throw deferralOf(error) ?? error;
      }
    };
    this.definitions.set(definition.type, { ...definition, handler: deferring });
    return this;
  }

  get(type: string): TaskDefinition | undefined {
    return this.definitions.get(type);
  }

  types(): string[] {
    return [...this.definitions.keys()];
  }

  /** Types that run on an Instagram account, and those that do not. */
  typesByAccountNeed(): { withAccount: string[]; withoutAccount: string[] } {
    const all = [...this.definitions.values()];
    return {
      withAccount: all.filter((d) => d.needsAccount).map((d) => d.type),
      withoutAccount: all.filter((d) => !d.needsAccount).map((d) => d.type),
    };
  }
}
