// Validation of a batch input file, as the real Batch API does it while the
// batch is `validating`: any problem fails the whole batch, with one entry per
// problem in `errors.data` (`code`, `line` (1-based), `message`, `param`).
import { checkEmbeddingBody } from './embeddings.js';
import type { BatchErrorEntry, BatchRequestLine, ChatRequestBody, Limits } from './types.js';

export interface ValidationResult {
  lines: BatchRequestLine[];
  errors: BatchErrorEntry[];
  model: string | null;
}

/** The real API reports at most this many line errors; keeps huge bad files cheap. */
const MAX_REPORTED_ERRORS = 1000;

export function validateBatchInput(content: Buffer, endpoint: string, limits: Limits): ValidationResult {
  if (content.length > limits.maxFileBytes) {
    return fileError(
      'file_too_large',
      `The batch input file is ${content.length} bytes, larger than the maximum of ${limits.maxFileBytes} bytes.`,
    );
  }
  const rawLines = content.toString('utf8').split('\n');
  const nonBlank = rawLines.filter((l) => l.trim() !== '').length;
  if (nonBlank === 0) return fileError('empty_file', 'The batch input file is empty.');
  if (nonBlank > limits.maxRequestsPerFile) {
    return fileError(
      'too_many_tasks',
      `The batch input file contains ${nonBlank} requests, more than the maximum of ${limits.maxRequestsPerFile}.`,
    );
  }
  return validateLines(rawLines, endpoint);
}

function fileError(code: string, message: string): ValidationResult {
  return { lines: [], errors: [{ code, message, param: null, line: null }], model: null };
}

function validateLines(rawLines: string[], endpoint: string): ValidationResult {
  const lines: BatchRequestLine[] = [];
  const errors: BatchErrorEntry[] = [];
  const seen = new Set<string>();
  let model: string | null = null;
  rawLines.forEach((raw, index) => {
    if (raw.trim() === '' || errors.length >= MAX_REPORTED_ERRORS) return;
    const lineNo = index + 1;
    const parsed = parseLine(raw, lineNo, endpoint);
    if ('error' in parsed) return void errors.push(parsed.error);
    const request = parsed.request;
    if (seen.has(request.custom_id)) {
      return void errors.push(
        lineError(
          'duplicate_custom_id',
          lineNo,
          'The custom_id for this request is a duplicate of another request. The custom_id parameter must be unique for each request in a batch.',
          'custom_id',
        ),
      );
    }
    seen.add(request.custom_id);
    model ??= request.body.model;
    if (request.body.model !== model) {
      return void errors.push(
        lineError(
          'model_mismatch',
          lineNo,
          `All requests in a batch must use the same model. Expected '${model}', got '${request.body.model}'.`,
          'body.model',
        ),
      );
    }
    lines.push(request);
  });
  return errors.length > 0 ? { lines: [], errors, model: null } : { lines, errors, model };
}

type ParsedLine = { request: BatchRequestLine } | { error: BatchErrorEntry };

function parseLine(raw: string, lineNo: number, endpoint: string): ParsedLine {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { error: lineError('invalid_json_line', lineNo, 'This line is not parseable as valid JSON.', null) };
  }
  if (!isObject(json)) {
    return { error: lineError('invalid_json_line', lineNo, 'Each line must be a JSON object.', null) };
  }
  const { custom_id: customId, method, url, body } = json;
  if (typeof customId !== 'string' || customId === '') return { error: missing(lineNo, 'custom_id') };
  if (method !== 'POST') {
    return {
      error: lineError(
        'invalid_method',
        lineNo,
        `The method for this request is ${JSON.stringify(method ?? null)}, but only 'POST' is supported.`,
        'method',
      ),
    };
  }
  if (url !== endpoint) {
    return {
      error: lineError(
        'url_mismatch',
        lineNo,
        `The provided URL ${JSON.stringify(url ?? null)} does not match the endpoint of the batch ('${endpoint}').`,
        'url',
      ),
    };
  }
  const bodyError = url === '/v1/embeddings' ? checkEmbeddingLine(body, lineNo) : checkBody(body, lineNo);
  if (bodyError) return { error: bodyError };
  return { request: { line: lineNo, custom_id: customId, method: 'POST', url, body: body as ChatRequestBody } };
}

function checkBody(body: unknown, lineNo: number): BatchErrorEntry | null {
  if (!isObject(body)) return missing(lineNo, 'body');
  if (typeof body.model !== 'string' || body.model === '') return missing(lineNo, 'body.model');
  if (!Array.isArray(body.messages) || body.messages.length === 0) return missing(lineNo, 'body.messages');
  const badMessage = body.messages.findIndex((m) => !isObject(m) || typeof m.role !== 'string');
  if (badMessage >= 0) {
    return lineError(
      'invalid_request',
      lineNo,
      `Invalid value for 'body.messages[${badMessage}]': each message must be an object with a 'role'.`,
      `body.messages[${badMessage}]`,
    );
  }
  return null;
}

function checkEmbeddingLine(body: unknown, lineNo: number): BatchErrorEntry | null {
  if (!isObject(body)) return missing(lineNo, 'body');
  if (typeof body.model !== 'string' || body.model === '') return missing(lineNo, 'body.model');
  if (body.input === undefined) return missing(lineNo, 'body.input');
  const problem = checkEmbeddingBody(body);
  return problem ? lineError('invalid_request', lineNo, problem.message, problem.param) : null;
}

function missing(lineNo: number, param: string): BatchErrorEntry {
  return lineError('missing_required_parameter', lineNo, `Missing required parameter: '${param}'.`, param);
}

function lineError(code: string, line: number, message: string, param: string | null): BatchErrorEntry {
  return { code, message, param, line };
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
