import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';

/**
 * Input tokens of one chat-completion request, counted the way OpenAI bills them: text and the json_schema with the
 * o200k_base tokenizer (every current chat model uses it), images by their model family's rule (IMAGE_RULES).
 * Used for the AI_MAX_ENQUEUED_TOKENS estimate and the cost figures of /api/stats and the bench.
 */

/**
 * How each model family bills an image (OpenAI's vision guide, "Calculating costs"; the two systems and which
 * models use which are spelled out in openai/openai-python#2851):
 * - `fixed`: detail "low" costs a fixed budget whatever the size: 85 for GPT-4o / GPT-4.1 / o-series,
 *   2,833 for gpt-4o-mini (its tiles are priced ×33 so that an image costs the same dollars as on GPT-4o).
 * - `patches`: ceil(w/32) × ceil(h/32) patches of 32 px, scaled down to fit 1,536 patches, times the model's
 *   multiplier (gpt-5-mini / gpt-4.1-mini 1.62, gpt-5-nano / gpt-4.1-nano 2.46, o4-mini 1.72). `detail: "low"`
 *   does not change this (live-API reports in #2851), so the pixels sent are what costs.
 * Longest prefix wins; a model not listed is counted as the dearest rule (gpt-5-nano's patches).
 */
export type ImageRule = { kind: 'fixed'; tokens: number } | { kind: 'patches'; multiplier: number };

export const IMAGE_RULES: ReadonlyArray<readonly [prefix: string, rule: ImageRule]> = [
  ['gpt-5-nano', { kind: 'patches', multiplier: 2.46 }],
  ['gpt-5-mini', { kind: 'patches', multiplier: 1.62 }],
  ['gpt-4.1-nano', { kind: 'patches', multiplier: 2.46 }],
  ['gpt-4.1-mini', { kind: 'patches', multiplier: 1.62 }],
  ['o4-mini', { kind: 'patches', multiplier: 1.72 }],
  ['gpt-4o-mini', { kind: 'fixed', tokens: 2833 }],
  ['gpt-5', { kind: 'fixed', tokens: 70 }],
  ['gpt-4o', { kind: 'fixed', tokens: 85 }],
  ['gpt-4.1', { kind: 'fixed', tokens: 85 }],
  ['o3', { kind: 'fixed', tokens: 75 }],
  ['o1', { kind: 'fixed', tokens: 75 }],
];

const UNKNOWN_MODEL: ImageRule = { kind: 'patches', multiplier: 2.46 };
const MAX_PATCHES = 1536;
const PATCH = 32;

export function imageRule(model: string): ImageRule {
  let best: readonly [string, ImageRule] | undefined;
  for (const entry of IMAGE_RULES) if (model.startsWith(entry[0]) && (!best || entry[0].length > best[0].length)) best = entry;
  return best?.[1] ?? UNKNOWN_MODEL;
}

/** The tokens one image of width × height px costs on `model`. */
export function imageTokens(model: string, width: number, height: number): number {
  const rule = imageRule(model);
  if (rule.kind === 'fixed') return rule.tokens;
  let patches = Math.ceil(width / PATCH) * Math.ceil(height / PATCH);
  if (patches > MAX_PATCHES) {
    // The guide's scale-down: shrink to 1,536 patches' area, then further so the width is a whole number of patches.
    const scale = Math.sqrt((MAX_PATCHES * PATCH * PATCH) / (width * height));
    const w = (width * scale) / PATCH;
    const fit = Math.floor(w) / w;
    patches = Math.ceil(w * fit) * Math.ceil(((height * scale) / PATCH) * fit);
  }
  return Math.ceil(patches * rule.multiplier);
}

/**
 * OpenAI's per-message framing in chat completions (the cookbook's "How to count tokens": 3 per message plus 3 to
 * prime the answer); the response_format's schema is sent to the model as text and counted with the tokenizer.
 */
const PER_MESSAGE = 3;
const PRIMING = 3;

export const textTokens = (text: string) => countTokens(text);

type Part = { type: string; text?: string; image_url?: { url: string } };
export interface ChatBody {
  model: string;
  messages: { role: string; content: string | Part[] }[];
  response_format?: unknown;
}

export interface ImageSize {
  width: number;
  height: number;
}

/**
 * The size of the image a link points at, when the link says it: Instagram's CDN names the version it serves, as
 * `stp=dst-jpg_e35_s320x400` (or `_p640x640`) in the query or `/s150x150/` in the path. Null otherwise.
 */
export function imageSizeFromUrl(url: string): ImageSize | null {
  const match = /[_/=]([sp])(\d{2,4})x(\d{2,4})(?=[_/&.?]|$)/.exec(url);
  if (!match) return null;
  const width = Number(match[2]);
  const height = Number(match[3]);
  return width > 0 && height > 0 ? { width, height } : null;
}

/**
 * Input tokens of a request body. An image is counted at the size its link names (imageSizeFromUrl), else at
 * `fallbackSize` (AI_IMAGE_WIDTH_PX × AI_IMAGE_HEIGHT_PX).
 */
export function requestTokens(body: ChatBody, fallbackSize: ImageSize): number {
  let tokens = PRIMING;
  for (const message of body.messages) {
    tokens += PER_MESSAGE + textTokens(message.role);
    const parts = typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : message.content;
    for (const part of parts) {
      if (part.type === 'text') tokens += textTokens(part.text ?? '');
      else if (part.type === 'image_url') {
        const size = imageSizeFromUrl(part.image_url?.url ?? '') ?? fallbackSize;
        tokens += imageTokens(body.model, size.width, size.height);
      }
    }
  }
  if (body.response_format) tokens += textTokens(JSON.stringify(body.response_format));
  return tokens;
}

/**
 * Models that reason before answering and take `reasoning_effort` (the gpt-5 family and the o-series); the others
 * (gpt-4o, gpt-4.1) answer 400 "Unsupported parameter" to it, so it is only sent to these.
 */
export const isReasoningModel = (model: string) => /^(gpt-5|o\d)/.test(model) && !model.startsWith('gpt-5-chat');
