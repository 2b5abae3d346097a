// The API the `openai` SDK talks to, under `/v1`: Files and Batches, with
// bearer-key checking, OpenAI's error shape, `x-request-id` on every answer,
// a request log, and switchable HTTP faults.
import { Hono, type Context } from 'hono';
import { toBatchObject } from './batch-record.js';
import { ApiError, badRequest, MISSING_KEY_MESSAGE, notFound } from './errors.js';
import type { FaultRegistry } from './faults.js';
import { toFileObject, type FileStore } from './files.js';
import type { IdMinter } from './ids.js';
import type { BatchEngine } from './lifecycle.js';
import type { Clock, FilePurpose, Limits, RequestLogEntry } from './types.js';
import { isObject } from './validation.js';

export interface ApiDeps {
  clock: Clock;
  ids: IdMinter;
  files: FileStore;
  engine: BatchEngine;
  faults: FaultRegistry;
  limits: Limits;
  log: RequestLogEntry[];
  /** If set, only these keys are accepted (others → 401 invalid_api_key); otherwise any non-empty key. */
  apiKeys: string[] | null;
}

const PURPOSES: FilePurpose[] = ['batch', 'assistants', 'fine-tune', 'vision', 'user_data', 'evals'];
/** The batch endpoints the emulator answers (the real API has more: /v1/responses, /v1/completions, …). */
const SUPPORTED_ENDPOINTS = ['/v1/chat/completions', '/v1/embeddings'];

export function apiRoutes(deps: ApiDeps): Hono {
  const app = new Hono();
  app.use('*', async (c, next) => {
    const entry: RequestLogEntry = { at: deps.clock.now(), method: c.req.method, path: c.req.path, status: 0, authorized: false };
    deps.log.push(entry);
    c.header('x-request-id', deps.ids.next('req'));
    entry.authorized = checkKey(c.req.header('authorization'), deps.apiKeys);
    const fault = deps.faults.takeHttpFault(c.req.path);
    if (fault) c.res = errorResponse(c, new ApiError(fault.status, fault.message ?? 'Injected fault.', faultType(fault.status)));
    else await next();
    entry.status = c.res.status;
  });
  app.use('/v1/*', async (c, next) => {
    const key = bearer(c.req.header('authorization'));
    if (!key) throw new ApiError(401, MISSING_KEY_MESSAGE);
    if (deps.apiKeys && !deps.apiKeys.includes(key)) {
      throw new ApiError(401, `Incorrect API key provided: ${mask(key)}.`, 'invalid_request_error', null, 'invalid_api_key');
    }
    await next();
  });
  fileRoutes(app, deps);
  batchRoutes(app, deps);
  app.notFound((c) => errorResponse(c, new ApiError(404, `Invalid URL (${c.req.method} ${c.req.path})`)));
  app.onError((err, c) => errorResponse(c, err instanceof ApiError ? err : new ApiError(500, String(err), 'server_error')));
  return app;
}

function fileRoutes(app: Hono, deps: ApiDeps): void {
  app.post('/v1/files', async (c) => {
    const form = await c.req.parseBody().catch(() => {
      throw badRequest('Expected a multipart/form-data body.');
    });
    const { file, purpose } = form;
    if (typeof purpose !== 'string' || !PURPOSES.includes(purpose as FilePurpose)) {
      throw badRequest(`'${String(purpose)}' is not one of ${PURPOSES.map((p) => `'${p}'`).join(', ')} - 'purpose'`, 'purpose');
    }
    if (!(file instanceof Blob)) throw badRequest("Missing required parameter: 'file'.", 'file');
    const content = Buffer.from(await file.arrayBuffer());
    const filename = (file as File).name || 'upload';
    if (purpose === 'batch') checkBatchUpload(filename, content, deps.limits);
    return c.json(toFileObject(deps.files.create(filename, purpose as FilePurpose, content)));
  });
  app.get('/v1/files', (c) => {
    const order = c.req.query('order') === 'asc' ? 'asc' : 'desc';
    const purpose = c.req.query('purpose');
    const page = deps.files.list({
      limit: limitParam(c, 10_000, 10_000),
      order,
      after: c.req.query('after'),
      ...(purpose ? { purpose } : {}),
    });
    return c.json(listBody(page.data, page.has_more));
  });
  app.get('/v1/files/:id', (c) => c.json(toFileObject(fileOr404(deps, c.req.param('id')))));
  app.get('/v1/files/:id/content', (c) => {
    const file = fileOr404(deps, c.req.param('id'));
    return c.body(new Uint8Array(file.content), 200, { 'content-type': 'application/octet-stream' });
  });
  app.delete('/v1/files/:id', (c) => {
    const id = c.req.param('id');
    fileOr404(deps, id);
    deps.files.delete(id);
    return c.json({ id, object: 'file', deleted: true });
  });
}

function batchRoutes(app: Hono, deps: ApiDeps): void {
  app.post('/v1/batches', async (c) => {
    const body: unknown = await c.req.json().catch(() => null);
    if (!isObject(body)) throw badRequest('We could not parse the JSON body of your request.');
    const params = checkCreateBatch(body, deps);
    return c.json(toBatchObject(deps.engine.create(params)));
  });
  app.get('/v1/batches', (c) => {
    const all = deps.engine.all().reverse(); // newest first, like the real list
    const after = c.req.query('after');
    const start = after === undefined ? 0 : all.findIndex((b) => b.id === after) + 1;
    const limit = limitParam(c, 20, 100);
    const page = all.slice(start, start + limit).map(toBatchObject);
    return c.json(listBody(page, start + limit < all.length));
  });
  app.get('/v1/batches/:id', (c) => c.json(deps.engine.object(c.req.param('id'))));
  app.post('/v1/batches/:id/cancel', (c) => c.json(toBatchObject(deps.engine.cancel(c.req.param('id')))));
}

function checkCreateBatch(body: Record<string, unknown>, deps: ApiDeps) {
  const { input_file_id: inputFileId, endpoint, completion_window: window, metadata } = body;
  if (typeof inputFileId !== 'string') throw badRequest("Missing required parameter: 'input_file_id'.", 'input_file_id');
  if (typeof endpoint !== 'string') throw badRequest("Missing required parameter: 'endpoint'.", 'endpoint');
  if (!SUPPORTED_ENDPOINTS.includes(endpoint)) {
    throw badRequest(
      `The emulator supports only the endpoints ${SUPPORTED_ENDPOINTS.map((e) => `'${e}'`).join(', ')}, got '${endpoint}'.`,
      'endpoint',
    );
  }
  if (window !== '24h')
    throw badRequest(`Invalid value for 'completion_window': '${String(window)}'. Supported values are: '24h'.`, 'completion_window');
  const input = deps.files.get(inputFileId);
  if (!input) throw badRequest(`Could not find file with ID '${inputFileId}'.`, 'input_file_id');
  if (input.purpose !== 'batch')
    throw badRequest(`File '${inputFileId}' must have purpose 'batch', not '${input.purpose}'.`, 'input_file_id');
  return { inputFileId, endpoint, completionWindow: window, metadata: checkMetadata(metadata) };
}

function checkMetadata(metadata: unknown): Record<string, string> | null {
  if (metadata === undefined || metadata === null) return null;
  if (!isObject(metadata)) throw badRequest("Invalid type for 'metadata': expected an object.", 'metadata');
  const entries = Object.entries(metadata);
  if (entries.length > 16) throw badRequest("Invalid 'metadata': too many properties. Expected at most 16.", 'metadata');
  for (const [key, value] of entries) {
    if (typeof value !== 'string' || key.length > 64 || value.length > 512) {
      throw badRequest(`Invalid 'metadata.${key}': keys are strings up to 64 characters, values strings up to 512.`, 'metadata');
    }
  }
  return Object.fromEntries(entries) as Record<string, string>;
}

/** Upload-time checks the real API makes for purpose "batch": a .jsonl name and the size cap. */
function checkBatchUpload(filename: string, content: Buffer, limits: Limits): void {
  if (!filename.toLowerCase().endsWith('.jsonl')) {
    throw badRequest('Invalid file format for Batch API. Must be .jsonl', 'file');
  }
  if (content.length > limits.maxFileBytes) {
    throw badRequest(
      `File is too large: ${content.length} bytes. The maximum size for purpose 'batch' is ${limits.maxFileBytes} bytes.`,
      'file',
      'file_too_large',
    );
  }
}

function fileOr404(deps: ApiDeps, id: string) {
  const file = deps.files.get(id);
  if (!file) throw notFound(`No such File object: ${id}`, 'id');
  return file;
}

function listBody<T extends { id: string }>(data: T[], hasMore: boolean) {
  return { object: 'list', data, first_id: data[0]?.id ?? null, last_id: data[data.length - 1]?.id ?? null, has_more: hasMore };
}

function limitParam(c: Context, fallback: number, max: number): number {
  const raw = c.req.query('limit');
  const n = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max) throw badRequest(`Invalid 'limit': expected an integer between 1 and ${max}.`, 'limit');
  return n;
}

function bearer(header: string | undefined): string | null {
  const match = /^Bearer\s+(.+)$/i.exec(header ?? '');
  return match?.[1]?.trim() || null;
}

function checkKey(header: string | undefined, keys: string[] | null): boolean {
  const key = bearer(header);
  return key !== null && (keys === null || keys.includes(key));
}

function mask(key: string): string {
  return key.length <= 8 ? '*'.repeat(key.length) : `${key.slice(0, 3)}${'*'.repeat(key.length - 7)}${key.slice(-4)}`;
}

function faultType(status: number): string {
  if (status === 429) return 'rate_limit_exceeded';
  return status >= 500 ? 'server_error' : 'invalid_request_error';
}

function errorResponse(c: Context, err: ApiError): Response {
  return c.json(err.toBody(), err.status as 400);
}
