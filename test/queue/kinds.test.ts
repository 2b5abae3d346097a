import { describe, expect, it } from 'vitest';
import type { AccountPool } from '../../src/accounts/pool.js';
import { ACCOUNT_TASK_TYPES, BULK_CLAIMED_TYPES, TASK_KINDS, TASK_TYPES } from '../../src/queue/task.js';
import { TaskListQuery } from '../../src/http/schemas.js';
import { createTaskRegistry } from '../../src/tasks/registry.js';

/** TASK_KINDS (src/queue/task.ts) is the one list of task kinds: the registry, the claim plan and the API follow it. */
describe('task kinds', () => {
  // The handlers are built, never run: the pool is not touched.
  const registry = createTaskRegistry({} as AccountPool);

  it('every kind is either registered with a handler or claimed in bulk, never both', () => {
    expect([...registry.types(), ...BULK_CLAIMED_TYPES].sort()).toEqual([...TASK_TYPES].sort());
  });

  it('the registry holds back exactly the kinds that need an account', () => {
    expect(registry.typesByAccountNeed().withAccount.sort()).toEqual([...ACCOUNT_TASK_TYPES].sort());
  });

  it('GET /api/tasks?task_type= accepts every kind, and nothing else', () => {
    for (const type of Object.keys(TASK_KINDS)) expect(TaskListQuery.safeParse({ task_type: type }).success).toBe(true);
    expect(TaskListQuery.safeParse({ task_type: 'no_such_kind' }).success).toBe(false);
  });
});
