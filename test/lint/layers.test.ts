import { createRequire } from 'node:module';
import path from 'node:path';
import { cruise, type IForbiddenRuleType } from 'dependency-cruiser';
import { describe, expect, it } from 'vitest';

/**
 * The layer rules of .dependency-cruiser.cjs (ARCHITECTURE.md, "Layers"): src/ holds them, and a fixture with two
 * deliberately wrong imports shows that the check catches what it names.
 */
const root = path.resolve(import.meta.dirname, '../..');
const rules = (createRequire(import.meta.url)(path.join(root, '.dependency-cruiser.cjs')) as { forbidden: IForbiddenRuleType[] }).forbidden;

async function violations(baseDir: string): Promise<string[]> {
  const result = await cruise(['src'], {
    baseDir,
    ruleSet: { forbidden: rules },
    validate: true,
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
  });
  const output = result.output as { summary: { violations: Array<{ rule: { name: string }; from: string; to: string }> } };
  return output.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`);
}

describe('layers', () => {
  it('src/ keeps every rule', async () => {
    expect(await violations(root)).toEqual([]);
  });

  it('a wrong import is caught: instagram/ importing the queue, a service importing from http/ or tasks/, SQL in a route, the CLI importing the queue', async () => {
    const found = (await violations(path.join(root, 'test/fixtures/layers'))).map((v) =>
      v.replace(/→ .*node_modules\/([^/]+)\/.*/, '→ $1 (npm)'),
    );
    expect(found.sort()).toEqual([
      'accounts-know-no-queue: src/accounts/session.ts → src/queue/errors.ts',
      'audience-below-scraping: src/audience/quality-task.ts → src/scraping/follow-feed.ts',
      'cli-is-an-http-client: src/cli/wait.ts → src/queue/errors.ts',
      'http-holds-no-sql: src/http/routes/health.ts → kysely (npm)',
      'http-is-the-top: src/accounts/views.ts → src/http/schemas.ts',
      'instagram-knows-no-queue: src/instagram/client.ts → src/queue/errors.ts',
      'services-do-not-reach-tasks: src/scraping/discover-store.ts → src/tasks/requests.ts',
    ]);
  });
});
