import { ACCOUNT_TASK_TYPES, type Task } from '../queue/task.js';
import type { z } from '@hono/zod-openapi';
import type { TaskSchema } from './schemas.js';
import { iso } from '../util/iso.js';

/**
 * A task row as the API shows it: timestamps in ISO 8601, the lease as one object, internals (dedupe key) left out.
 * `accountWait`: why Instagram-bound tasks cannot start now (accountWaitReason), for a pending one without a reason
 * of its own.
 */
export function taskView(task: Task, accountWait: string | null = null): z.infer<typeof TaskSchema> {
  const pending = task.status === 'pending';
  return {
    id: task.id,
    task_type: task.task_type,
    status: task.status,
    priority: task.priority,
    blog_id: task.blog_id,
    payload: task.payload,
    progress: task.progress,
    result: task.result,
    attempts: task.attempts,
    max_attempts: task.max_attempts,
    error_message: task.error_message,
    waiting_reason: pending ? (task.waiting_reason ?? (ACCOUNT_TASK_TYPES.includes(task.task_type) ? accountWait : null)) : null,
    last_error_at: iso(task.last_error_at),
    run_at: iso(task.run_at)!,
    lease: task.locked_by && task.locked_until ? { holder: task.locked_by, until: task.locked_until.toISOString() } : null,
    started_at: iso(task.started_at),
    completed_at: iso(task.completed_at),
    created_at: iso(task.created_at)!,
    updated_at: iso(task.updated_at)!,
  };
}
