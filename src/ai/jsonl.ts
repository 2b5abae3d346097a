import { buildMessages } from './prompt.js';
import type { BlogProfile } from './profiles.js';
import { requestTokens } from './tokens.js';

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
}

export interface LineOptions {
  model: string;
  categories: readonly string[];
  /** The same for every line of a batch; built once. */
  responseFormat: unknown;
  maxImages: number;
  /** Until when OpenAI may still read the batch's images (now + the batch's lifetime): expiring links are left out. */
  imagesUsableUntil?: Date;
  /** The size of the images the scraper keeps (AI_IMAGE_WIDTH_PX × AI_IMAGE_HEIGHT_PX): what they cost. */
  imageSize: { width: number; height: number };
}

/** custom_id is the blog's id: a blog is in a batch at most once, and the result finds its blog without a lookup. */
export function requestLine(profile: BlogProfile, taskId: number, options: LineOptions): RequestLine {
  const customId = String(profile.blog.id);
  const body = {
    model: options.model,
    messages: buildMessages(profile, options.categories, options.maxImages, options.imagesUsableUntil),
    response_format: options.responseFormat,
  };
  const json = JSON.stringify({ custom_id: customId, method: 'POST', url: '/v1/chat/completions', body });
  const tokens = requestTokens(body, options.imageSize);
  return { customId, taskId, blogId: profile.blog.id, json, bytes: Buffer.byteLength(json) + 1, tokens };
}

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
