import { createHash } from 'node:crypto';
import { buildMessages, type ChatMessage } from './prompt.js';
import type { BlogProfile } from './profiles.js';
import type { ReasoningEffortSetting } from './settings.js';
import { isReasoningModel, requestTokens } from './tokens.js';

/** Request lines of a batch input file, and how they are split to fit the Batch API's per-file limits. Pure. */

export interface RequestLine {
  customId: string;
  taskId: number;
  blogId: number;
  /** The JSONL line, without its newline. */
  json: string;
  bytes: number;
  /** Input tokens as OpenAI counts them (tokenizer + the model's image rule): what the enqueued limit sees. */
  tokens: number;
  /** What the line asks, as a hash (promptHash): equal to the blog's last analysed one = nothing new to analyse. */
  promptHash: string;
}

export interface LineOptions {
  model: string;
  categories: readonly string[];
  /** The same for every line of a batch; built once. */
  responseFormat: unknown;
  maxImages: number;
  /** Until when OpenAI may still read the batch's images (now + the batch's lifetime): expiring links are left out. */
  imagesUsableUntil?: Date;
  /** The size assumed for an image whose link does not name it (AI_IMAGE_WIDTH_PX × AI_IMAGE_HEIGHT_PX). */
  imageSize: { width: number; height: number };
  /** AI_REASONING_EFFORT: sent to reasoning models only; 'default' sends nothing. */
  reasoningEffort: ReasoningEffortSetting;
  /** AI_MAX_COMPLETION_TOKENS: the answer and the reasoning together (null: not sent, as before issue 22; the bench). */
  maxCompletionTokens: number | null;
}

export interface ChatRequestBody {
  model: string;
  messages: ChatMessage[];
  response_format: unknown;
  max_completion_tokens?: number;
  reasoning_effort?: Exclude<ReasoningEffortSetting, 'default'>;
}

export function requestBody(profile: BlogProfile, options: LineOptions): ChatRequestBody {
  const effort = options.reasoningEffort !== 'default' && isReasoningModel(options.model) ? options.reasoningEffort : undefined;
  return {
    model: options.model,
    messages: buildMessages(profile, options.categories, options.maxImages, options.imagesUsableUntil),
    response_format: options.responseFormat,
    ...(options.maxCompletionTokens !== null ? { max_completion_tokens: options.maxCompletionTokens } : {}),
    ...(effort ? { reasoning_effort: effort } : {}),
  };
}

/** custom_id is the blog's id: a blog is in a batch at most once, and the result finds its blog without a lookup. */
export function requestLine(profile: BlogProfile, taskId: number, options: LineOptions): RequestLine {
  const customId = String(profile.blog.id);
  const body = requestBody(profile, options);
  const json = JSON.stringify({ custom_id: customId, method: 'POST', url: '/v1/chat/completions', body });
  const tokens = requestTokens(body, options.imageSize);
  return { customId, taskId, blogId: profile.blog.id, json, bytes: Buffer.byteLength(json) + 1, tokens, promptHash: promptHash(body) };
}

/**
 * The material a line asks about, as a sha-256: model, instructions, schema (the categories), the creator's text and
 * the ids of its images. An image's id is its link without the query: Instagram signs each link anew (`oh`, `oe`)
 * at every scrape, while the path names the picture. The reasoning effort and the token cap are left out: they
 * change how the question is answered, not what is asked.
 */
export function promptHash(body: Pick<ChatRequestBody, 'model' | 'messages' | 'response_format'>): string {
  const messages = body.messages.map((m) => ({
    role: m.role,
    content:
      typeof m.content === 'string'
        ? m.content
        : m.content.map((part) => (part.type === 'text' ? part.text : `image:${imageId(part.image_url.url)}`)),
  }));
  return createHash('sha256')
    .update(JSON.stringify([body.model, messages, body.response_format]))
    .digest('hex');
}

const imageId = (url: string) => url.split('?')[0]!;

/**
 * Tokens of a batch built before token accounting (migration 0017), from its file size: a token per 4 bytes. Only
 * for those old rows; new lines carry their counted `tokens`.
 */
export const tokensFromBytes = (bytes: number) => Math.ceil(bytes / 4);

/** The longest prefix of `lines` whose estimated tokens fit in `budget`. */
export function withinTokens(lines: readonly RequestLine[], budget: number): number {
  let used = 0;
  let fit = 0;
  for (const line of lines) {
    used += line.tokens;
    if (used > budget) break;
    fit++;
  }
  return fit;
}

/**
 * Consecutive chunks, each within `maxRequests` lines and `maxBytes` bytes. A line larger than `maxBytes` alone
 * still gets its own chunk: OpenAI then refuses that file, and its one task is retried and falls back — better than
 * losing it silently here.
 */
export function splitLines(lines: readonly RequestLine[], limits: { maxRequests: number; maxBytes: number }): RequestLine[][] {
  const chunks: RequestLine[][] = [];
  let current: RequestLine[] = [];
  let bytes = 0;
  for (const line of lines) {
    const full = current.length >= limits.maxRequests || (current.length > 0 && bytes + line.bytes > limits.maxBytes);
    if (full) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(line);
    bytes += line.bytes;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

export const toJsonl = (lines: readonly RequestLine[]) => lines.map((l) => `${l.json}\n`).join('');
