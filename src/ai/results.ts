import { parseInsights, type AIInsights } from './insights.js';

/**
 * One line of a batch's output or error file → what it means for its blog. Pure: the caller applies it.
 * ok: validated insights; refused: the model declined; invalid: an answer that is not JSON or not the schema;
 * error: the request itself failed (error-file line, non-200 status); missing: the request never ran (an error-file
 * line of an expired or cancelled batch, `batch_expired` / `batch_cancelled`).
 */
export interface Usage {
  input: number;
  output: number;
  /** The reasoning part of `output` (completion_tokens_details.reasoning_tokens; 0 when absent). */
  reasoning: number;
}

export type LineResult =
  | { customId: string; kind: 'ok'; insights: AIInsights; usage: Usage | null }
  | { customId: string; kind: 'refused'; reason: string; usage: Usage | null }
  | { customId: string; kind: 'invalid'; reason: string; usage: Usage | null }
  | { customId: string; kind: 'error'; reason: string; usage: Usage | null }
  /** `notRun`: the batch was rejected as a whole before any request ran (not this blog's doing). */
  | { customId: string; kind: 'missing'; reason: string; usage: null; notRun?: boolean };

interface Envelope {
  custom_id?: unknown;
  // biome-ignore lint/suspicious/noExplicitAny: OpenAI's answer body, read field by field and checked below
  response?: { status_code?: number; body?: any } | null;
  error?: { code?: string; message?: string } | null;
}

/** Parses a JSONL file's text; lines that are not JSON objects with a custom_id are returned as `unreadable`. */
export function parseResultFile(text: string, categories: readonly string[]): { results: LineResult[]; unreadable: number } {
  const results: LineResult[] = [];
  let unreadable = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const result = classifyLine(line, categories);
    if (result) results.push(result);
    else unreadable++;
  }
  return { results, unreadable };
}

export function classifyLine(line: string, categories: readonly string[]): LineResult | null {
  let envelope: Envelope;
  try {
    envelope = JSON.parse(line) as Envelope;
  } catch {
    return null;
  }
  if (!envelope || typeof envelope.custom_id !== 'string') return null;
  const customId = envelope.custom_id;
  const response = envelope.response;
  if (!response && envelope.error) {
    return {
      customId,
      kind: 'missing',
      reason: `request not run: ${envelope.error.code ?? 'error'}: ${envelope.error.message ?? ''}`.slice(0, 500),
      usage: null,
    };
  }
  if (response?.status_code !== 200) {
    return { customId, kind: 'error', reason: requestError(envelope), usage: null };
  }
  const body = response.body ?? {};
  const usage = usageOf(body.usage);
  const message = body.choices?.[0]?.message ?? {};
  if (typeof message.refusal === 'string' && message.refusal !== '') {
    return { customId, kind: 'refused', reason: message.refusal.slice(0, 500), usage };
  }
  const parsed = parseInsights(message.content, categories);
  if (!parsed.ok) {
    const finish = body.choices?.[0]?.finish_reason;
    const reason = finish === 'length' ? `${parsed.reason} (answer cut off: finish_reason length)` : parsed.reason;
    return { customId, kind: 'invalid', reason, usage };
  }
  return { customId, kind: 'ok', insights: parsed.insights, usage };
}

function requestError(envelope: Envelope): string {
  const status = envelope.response?.status_code ?? 'no status';
  const message = envelope.response?.body?.error?.message ?? 'no message';
  return `request failed with HTTP ${status}: ${message}`.slice(0, 500);
}

// biome-ignore lint/suspicious/noExplicitAny: an untrusted object from a result file, checked before use
function usageOf(usage: any): Usage | null {
  if (!usage || typeof usage !== 'object') return null;
  const input = Number(usage.prompt_tokens ?? usage.input_tokens ?? 0);
  const output = Number(usage.completion_tokens ?? usage.output_tokens ?? 0);
  const reasoning = Number(usage.completion_tokens_details?.reasoning_tokens ?? usage.output_tokens_details?.reasoning_tokens ?? 0);
  return Number.isFinite(input) && Number.isFinite(output)
    ? { input, output, reasoning: Number.isFinite(reasoning) ? reasoning : 0 }
    : null;
}
