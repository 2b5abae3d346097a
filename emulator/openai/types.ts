// Shared types of the OpenAI Files + Batches emulator. The `*Object` types are
// the wire shapes the real API returns (what the `openai` SDK parses); the
// `*Record` types are the emulator's internal state behind them.

export interface Clock {
  /** Milliseconds since the epoch, like Date.now(). */
  now(): number;
}

/** How long each automatic phase lasts. `Infinity` = never automatically (manual control). */
export interface Timings {
  validatingMs: number;
  inProgressMs: number;
  finalizingMs: number;
  cancellingMs: number;
}

/** Per-file limits of the Batch API; tests lower them to exercise the daemon's splitting. */
export interface Limits {
  maxRequestsPerFile: number;
  maxFileBytes: number;
}

export type BatchStatus = 'validating' | 'failed' | 'in_progress' | 'finalizing' | 'completed' | 'expired' | 'cancelling' | 'cancelled';

export interface BatchErrorEntry {
  code: string;
  message: string;
  param: string | null;
  line: number | null;
}

export interface RequestCounts {
  total: number;
  completed: number;
  failed: number;
}

export interface BatchUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

export interface BatchObject {
  id: string;
  object: 'batch';
  endpoint: string;
  model: string | null;
  errors: { object: 'list'; data: BatchErrorEntry[] } | null;
  input_file_id: string;
  completion_window: string;
  status: BatchStatus;
  output_file_id: string | null;
  error_file_id: string | null;
  created_at: number;
  in_progress_at: number | null;
  expires_at: number;
  finalizing_at: number | null;
  completed_at: number | null;
  failed_at: number | null;
  expired_at: number | null;
  cancelling_at: number | null;
  cancelled_at: number | null;
  request_counts: RequestCounts;
  metadata: Record<string, string> | null;
  usage: BatchUsage;
}

export type FilePurpose = 'batch' | 'batch_output' | 'assistants' | 'fine-tune' | 'vision' | 'user_data' | 'evals';

export interface FileRecord {
  id: string;
  filename: string;
  purpose: FilePurpose;
  createdAtMs: number;
  content: Buffer;
}

export interface FileObject {
  id: string;
  object: 'file';
  bytes: number;
  created_at: number;
  expires_at: number | null;
  filename: string;
  purpose: FilePurpose;
  status: 'processed';
  status_details: null;
}

/** One validated line of a batch input file. */
export interface BatchRequestLine {
  line: number;
  custom_id: string;
  method: 'POST';
  url: string;
  body: ChatRequestBody;
}

export interface ChatRequestBody {
  model: string;
  messages: ChatMessage[];
  response_format?: ResponseFormat;
  [key: string]: unknown;
}

export interface ChatMessage {
  role: string;
  content: string | ContentPart[] | null;
}

export type ContentPart =
  | { type: 'text'; text: string }
  | { type: 'image_url'; image_url: { url: string; detail?: string } }
  | { type: string; [key: string]: unknown };

export type ResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; json_schema: { name: string; strict?: boolean; schema?: JsonSchema; description?: string } };

/** The subset of JSON Schema that OpenAI structured outputs use. */
export interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
  definitions?: Record<string, JsonSchema>;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  format?: string;
  [key: string]: unknown;
}

/** One line of an output or error file, as the real Batch API writes it. */
export interface OutputLine {
  id: string;
  custom_id: string;
  response: { status_code: number; request_id: string; body: unknown } | null;
  error: { code: string; message: string } | null;
}

// ---- faults ---------------------------------------------------------------

export type LineFaultMode = 'refusal' | 'invalid_json' | 'schema_violation' | 'line_error';

export interface LineFault {
  mode: LineFaultMode;
  /** line_error only: HTTP status of the failed request (default 500). */
  status?: number;
  /** line_error only: error message in the error line. */
  message?: string;
}

export type BatchFault =
  /** Runs, then expires at the end of in_progress with only `completedLines` answered (default: half). */
  | { kind: 'expire'; completedLines?: number }
  /** Fails during validation with this error in `errors.data` (default: enqueued token limit). */
  | { kind: 'fail'; code?: string; message?: string }
  /** Stays `in_progress` forever (ignores expiry too) until cancelled or completed by hand. */
  | { kind: 'stuck' };

/** Answers the next `count` API requests whose path starts with `pathPrefix` with an HTTP error. */
export interface HttpFault {
  status: number;
  count: number;
  pathPrefix?: string;
  message?: string;
}

export interface RequestLogEntry {
  at: number;
  method: string;
  path: string;
  status: number;
  authorized: boolean;
}
