// Executes one batch request line: the `chat.completion` the real endpoint
// would have answered, or the failed request, wrapped in the batch output-line
// envelope `{ id, custom_id, response: { status_code, request_id, body }, error }`.
import { completion, completionCap, EFFORTS, promptTokens as promptBill, reasoningTokens, reasons } from './billing.js';
import { embeddingResponse, type EmbeddingRequestBody } from './embeddings.js';
import { lineErrorBody } from './errors.js';
import type { IdMinter } from './ids.js';
import { buildStructuredAnswer, factsSummary, notesFor } from './insights.js';
import { analyzePrompt, type PromptFacts } from './prompt.js';
import { checkResponseFormat } from './schema.js';
import type { BatchRequestLine, LineFault, OutputLine } from './types.js';

export interface ExecutedLine {
  customId: string;
  /** Which file the line goes to: successes to the output file, failed requests to the error file. */
  file: 'output' | 'error';
  line: OutputLine;
  promptTokens: number;
  completionTokens: number;
  reasoningTokens: number;
}

export interface ExecutionContext {
  seed: number;
  batchId: string;
  ids: IdMinter;
  /** Unix seconds for the completion's `created`. */
  createdSec: number;
  fault: LineFault | null;
}

const REFUSAL = "I'm sorry, but I can't help with analysing this profile.";

export function executeRequest(request: BatchRequestLine, ctx: ExecutionContext): ExecutedLine {
  const { lineId, requestId, completionId } = ctx.ids.forLine(ctx.batchId, request.custom_id);
  const envelope = (statusCode: number, body: unknown): OutputLine => ({
    id: lineId,
    custom_id: request.custom_id,
    response: { status_code: statusCode, request_id: requestId, body },
    error: null,
  });
  if (ctx.fault?.mode === 'line_error') {
    const status = ctx.fault.status ?? 500;
    return failed(request, envelope(status, lineErrorBody(status, ctx.fault.message)));
  }
  if (request.url === '/v1/embeddings') {
    const { body, promptTokens } = embeddingResponse(request.body as unknown as EmbeddingRequestBody);
    return {
      customId: request.custom_id,
      file: 'output',
      line: envelope(200, body),
      promptTokens,
      completionTokens: 0,
      reasoningTokens: 0,
    };
  }
  const formatProblem = checkResponseFormat(request.body.response_format);
  if (formatProblem) {
    const body = { error: { message: formatProblem, type: 'invalid_request_error', param: 'response_format', code: null } };
    return failed(request, envelope(400, body));
  }
  const effortProblem = checkReasoningEffort(request.body);
  if (effortProblem) {
    const body = {
      error: { message: effortProblem.message, type: 'invalid_request_error', param: 'reasoning_effort', code: effortProblem.code },
    };
    return failed(request, envelope(400, body));
  }
  const facts = analyzePrompt(request.body.messages);
  const seed = `${ctx.seed}|${request.custom_id}`;
  const model = request.body.model;
  const effort = request.body['reasoning_effort'] as string | undefined;
  const full = applyFault(answerFor(request, facts, seed), ctx.fault);
  // Billed as OpenAI bills (billing.ts): reasoning first, then the answer, both within max_completion_tokens.
  const billed = completion(full.content ?? full.refusal ?? '', reasoningTokens(model, effort, seed), completionCap(request.body));
  const answer: Answer = !billed.cut
    ? full
    : full.content !== null
      ? { content: billed.content, refusal: null, finishReason: 'length' }
      : { content: null, refusal: billed.content, finishReason: 'length' };
  const promptTokens = promptBill(request.body).total;
  const { completionTokens, reasoningTokens: reasoning } = billed;
  const body = chatCompletion(completionId, ctx.createdSec, model, answer, { promptTokens, completionTokens, reasoningTokens: reasoning });
  return {
    customId: request.custom_id,
    file: 'output',
    line: envelope(200, body),
    promptTokens,
    completionTokens,
    reasoningTokens: reasoning,
  };
}

/**
 * What the real endpoint answers to a reasoning_effort it cannot take: 400 "Unsupported parameter" on a model that
 * does not reason (gpt-4o, gpt-4.1), 400 "Unsupported value" for a value not in the list.
 */
function checkReasoningEffort(body: BatchRequestLine['body']): { message: string; code: string } | null {
  const effort = body['reasoning_effort'];
  if (effort === undefined || effort === null) return null;
  if (!reasons(body.model)) {
    return { code: 'unsupported_parameter', message: "Unsupported parameter: 'reasoning_effort' is not supported with this model." };
  }
  if (typeof effort !== 'string' || !EFFORTS.includes(effort)) {
    return {
      code: 'unsupported_value',
      message: `Unsupported value: 'reasoning_effort' does not support ${JSON.stringify(effort)} with this model. Supported values are: ${EFFORTS.map((e) => `'${e}'`).join(', ')}.`,
    };
  }
  return null;
}

function failed(request: BatchRequestLine, line: OutputLine): ExecutedLine {
  return { customId: request.custom_id, file: 'error', line, promptTokens: 0, completionTokens: 0, reasoningTokens: 0 };
}

interface Answer {
  content: string | null;
  refusal: string | null;
  finishReason: 'stop' | 'length';
}

function answerFor(request: BatchRequestLine, facts: PromptFacts, seed: string): Answer {
  const format = request.body.response_format;
  if (format?.type === 'json_schema' && format.json_schema.schema) {
    const value = buildStructuredAnswer(format.json_schema.schema, facts, seed);
    return { content: JSON.stringify(value), refusal: null, finishReason: 'stop' };
  }
  const summary = factsSummary(facts, seed);
  if (format?.type === 'json_object') return { content: JSON.stringify(summary), refusal: null, finishReason: 'stop' };
  return { content: notesFor(facts, String(summary.primary_topic)), refusal: null, finishReason: 'stop' };
}

/** Content faults: what a real model occasionally does to a structured answer. */
function applyFault(answer: Answer, fault: LineFault | null): Answer {
  if (!fault || answer.content === null) return answer;
  switch (fault.mode) {
    case 'refusal':
      return { content: null, refusal: REFUSAL, finishReason: 'stop' };
    case 'invalid_json':
      // What hitting max_completion_tokens mid-object looks like: cut-off JSON, finish_reason "length".
      return { ...answer, content: answer.content.slice(0, Math.max(1, Math.floor(answer.content.length / 2))), finishReason: 'length' };
    case 'schema_violation':
      return { ...answer, content: JSON.stringify(violate(JSON.parse(answer.content) as unknown)) };
    default:
      return answer;
  }
}

/** Parses as JSON but breaks the schema: drops the first key and adds one the schema forbids. */
function violate(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { unexpected_field: value };
  const entries = Object.entries(value).slice(1);
  return { ...Object.fromEntries(entries), unexpected_field: 'not in the schema' };
}

function chatCompletion(
  id: string,
  created: number,
  model: string,
  answer: Answer,
  { promptTokens, completionTokens, reasoningTokens }: { promptTokens: number; completionTokens: number; reasoningTokens: number },
): Record<string, unknown> {
  return {
    id,
    object: 'chat.completion',
    created,
    model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: answer.content, refusal: answer.refusal, annotations: [] },
        logprobs: null,
        finish_reason: answer.finishReason,
      },
    ],
    // The shape of CompletionUsage in the openai SDK (resources/completions.d.ts); reasoning is part of completion.
    usage: {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
      prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
      completion_tokens_details: {
        reasoning_tokens: reasoningTokens,
        audio_tokens: 0,
        accepted_prediction_tokens: 0,
        rejected_prediction_tokens: 0,
      },
    },
    service_tier: 'default',
    system_fingerprint: null,
  };
}
