// Offline OpenAI Files + Batches API for tests and `npm run sim`: point the real
// `openai` SDK at `baseUrl` and it uploads JSONL, creates batches, polls them
// and downloads deterministic, prompt-derived answers. See README.md.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import type { Hono } from 'hono';
import { toBatchObject } from './batch-record.js';
import { controlRoutes } from './control.js';
import { notFound } from './errors.js';
import { FaultRegistry, type BatchFaultOptions, type FaultState, type LineFaultTarget } from './faults.js';
import { FileStore, toFileObject } from './files.js';
import { apiRoutes } from './http.js';
import { IdMinter } from './ids.js';
import { inspectRequests, parseJsonl, type RequestView } from './inspect.js';
import { BatchEngine } from './lifecycle.js';
import type {
  BatchFault,
  BatchObject,
  Clock,
  FileObject,
  HttpFault,
  LineFault,
  LineFaultMode,
  Limits,
  OutputLine,
  RequestLogEntry,
  Timings,
} from './types.js';

export type * from './types.js';
export type { BatchFaultOptions, FaultState, LineFaultTarget } from './faults.js';
export type { RequestView } from './inspect.js';
export type { PromptFacts, Language } from './prompt.js';

export interface OpenAiEmulatorOptions {
  /** Seeds every id and generated value (default 1). */
  seed?: number;
  host?: string;
  /** 0 (default) = an OS-assigned port. */
  port?: number;
  /** Injectable clock (ms); batches move on it lazily, so jumping it forward is enough. */
  clock?: Clock;
  /** Phase durations (default 50/200/50 ms, cancelling 50 ms); Infinity = only by hand. */
  timings?: Partial<Timings>;
  /** Per-file limits (default: the real 50,000 requests / 200 MB). */
  limits?: Partial<Limits>;
  /** Accept only these API keys (default: any non-empty bearer key). */
  apiKeys?: string[];
  /** Output/error line order: 'shuffled' (default, seeded — the real API does not keep input order) or 'input'. */
  outputOrder?: 'shuffled' | 'input';
}

export interface OpenAiEmulator {
  /** e.g. `http://127.0.0.1:PORT/v1` — give it to the SDK as `baseURL` / OPENAI_BASE_URL. */
  readonly baseUrl: string;
  readonly port: number;
  readonly seed: number;
  /** Control surface; the sim mounts it under `/openai`. */
  controlRoutes(): Hono;

  /** Line faults: `customIds` targets lines; otherwise all lines, or a `rate` share of them. `null` clears. */
  setLineFault(fault: LineFault | LineFaultMode | null, target?: LineFaultTarget): void;
  /** Batch faults for batches created from now on (`times` limits how many), or one existing `batchId`. */
  setBatchFault(fault: BatchFault | null, options?: BatchFaultOptions & { batchId?: string }): void;
  /** The next `count` API requests (matching `pathPrefix`) answer with HTTP `status`. */
  failRequests(fault: HttpFault): void;
  clearFaults(): void;
  faults(): FaultState;
  setTimings(timings: Partial<Timings>): void;
  setLimits(limits: Partial<Limits>): void;

  batches(): BatchObject[];
  batch(id: string): BatchObject;
  /** The request lines of a batch's input file, parsed, with what the emulator read from each prompt. */
  batchRequests(id: string): RequestView[];
  /** Parsed output and error lines of a finished batch (empty arrays while running). */
  batchResults(id: string): { output: OutputLine[]; errors: OutputLine[] };
  files(): FileObject[];
  fileContent(id: string): string;
  requests(): RequestLogEntry[];
  clearRequests(): void;

  /** Ends the current phase now (also un-sticks a "stuck" batch). */
  advance(id: string): BatchObject;
  /** Runs a batch to its end state. */
  complete(id: string): BatchObject;
  /** Expires a batch now; `completedLines` answered, the rest in the error file as batch_expired. */
  expire(id: string, completedLines?: number): BatchObject;
  cancel(id: string): BatchObject;
  close(): Promise<void>;
}

const DEFAULT_TIMINGS: Timings = { validatingMs: 50, inProgressMs: 200, finalizingMs: 50, cancellingMs: 50 };
const REAL_LIMITS: Limits = { maxRequestsPerFile: 50_000, maxFileBytes: 200 * 1024 * 1024 };

export async function startOpenAiEmulator(opts: OpenAiEmulatorOptions = {}): Promise<OpenAiEmulator> {
  const seed = opts.seed ?? 1;
  const clock: Clock = opts.clock ?? { now: () => Date.now() };
  const ids = new IdMinter(seed);
  const files = new FileStore(ids, clock);
  const faults = new FaultRegistry(seed);
  const timings: Timings = { ...DEFAULT_TIMINGS, ...opts.timings };
  const limits: Limits = { ...REAL_LIMITS, ...opts.limits };
  const log: RequestLogEntry[] = [];
  const shuffleOutput = (opts.outputOrder ?? 'shuffled') === 'shuffled';
  const engine = new BatchEngine({ seed, clock, ids, files, faults, timings, limits, shuffleOutput });
  const api = apiRoutes({ clock, ids, files, engine, faults, limits, log, apiKeys: opts.apiKeys ?? null });
  const host = opts.host ?? '127.0.0.1';
  const server = await listen(api, host, opts.port ?? 0);
  const port = (server.address() as AddressInfo).port;
  const baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}/v1`;
  return facade({ baseUrl, port, seed, engine, files, faults, timings, limits, log, server });
}

interface FacadeParts {
  baseUrl: string;
  port: number;
  seed: number;
  engine: BatchEngine;
  files: FileStore;
  faults: FaultRegistry;
  timings: Timings;
  limits: Limits;
  log: RequestLogEntry[];
  server: Server;
}

/** The programmatic API: thin wrappers over the engine, stores and fault registry. */
function facade({ baseUrl, port, seed, engine, files, faults, timings, limits, log, server }: FacadeParts): OpenAiEmulator {
  const fileText = (id: string | null): string => (id ? (files.get(id)?.content.toString('utf8') ?? '') : '');
  const emulator: OpenAiEmulator = {
    baseUrl,
    port,
    seed,
    controlRoutes: () => controlRoutes(emulator),
    setLineFault: (fault, target) => faults.setLineFault(fault, target),
    setBatchFault: (fault, options = {}) =>
      options.batchId ? engine.setFault(options.batchId, fault) : faults.setBatchFault(fault, options),
    failRequests: (fault) => faults.addHttpFault(fault),
    clearFaults: () => faults.clear(),
    faults: () => faults.state(),
    setTimings: (next) => void Object.assign(timings, next),
    setLimits: (next) => void Object.assign(limits, next),
    batches: () => engine.all().map(toBatchObject),
    batch: (id) => engine.object(id),
    batchRequests: (id) => inspectRequests(fileText(engine.get(id).inputFileId)),
    batchResults: (id) => {
      const record = engine.get(id);
      return {
        output: parseJsonl<OutputLine>(fileText(record.outputFileId)),
        errors: parseJsonl<OutputLine>(fileText(record.errorFileId)),
      };
    },
    files: () => files.all().map(toFileObject),
    fileContent: (id) => {
      const file = files.get(id);
      if (!file) throw notFound(`No such File object: ${id}`, 'id');
      return file.content.toString('utf8');
    },
    requests: () => log.map((e) => ({ ...e })),
    clearRequests: () => void log.splice(0),
    advance: (id) => toBatchObject(engine.advance(id)),
    complete: (id) => toBatchObject(engine.complete(id)),
    expire: (id, completedLines) => toBatchObject(engine.expire(id, completedLines)),
    cancel: (id) => toBatchObject(engine.cancel(id)),
    close: () => closeServer(server),
  };
  return emulator;
}

async function listen(app: Hono, host: string, port: number): Promise<Server> {
  const server = createAdaptorServer({ fetch: app.fetch }) as Server;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

/** Drops keep-alive connections too, or close() would wait for the SDK's idle sockets. */
function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((err) => (err ? reject(err) : resolve()));
    server.closeAllConnections();
  });
}
