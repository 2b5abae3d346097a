#!/usr/bin/env node
/**
 * `ig-scout` / `npx ig-scout …` (package.json "bin"). In a checkout (the TypeScript source and the dev dependency
 * tsx present) it runs src/cli/main.ts through tsx, so it is never older than the source; where only the build is
 * (`npm run build`, the Docker image, a production install) it runs dist/src/cli/main.js. IG_SCOUT_CLI_BUILD=1
 * forces the build.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const root = path.resolve(import.meta.dirname, '..');
const source = path.join(root, 'src/cli/main.ts');
const built = path.join(root, 'dist/src/cli/main.js');

/** tsx's loader, when the dev dependencies are installed; undefined otherwise. */
async function tsx() {
  try {
    return await import('tsx/esm/api');
  } catch {
    return undefined;
  }
}

const loader = process.env.IG_SCOUT_CLI_BUILD !== '1' && existsSync(source) ? await tsx() : undefined;
if (loader) {
  loader.register();
  await import(pathToFileURL(source).href);
} else if (existsSync(built)) {
  await import(pathToFileURL(built).href);
} else {
  process.stderr.write(`ig-scout: neither ${source} with tsx (npm ci) nor ${built} (npm run build) is there\n`);
  process.exitCode = 4;
}
