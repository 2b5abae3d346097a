// How the real chat-completions endpoint bills a request, so tests and the bench see what a request costs:
// prompt tokens (text with the o200k_base tokenizer, images by the model's rule and size), reasoning tokens by
// `reasoning_effort`, and the answer cut at `max_completion_tokens`. Written from OpenAI's documents on its own,
// not from src/ai/tokens.ts, so the daemon's estimate is checked against an independent count. Sources: README.md.
import { countTokens, decode, encode } from 'gpt-tokenizer/encoding/o200k_base';
import type { ChatMessage, ChatRequestBody, ContentPart } from './types.js';

// ---- images ----------------------------------------------------------------

/**
 * Image rules of the vision guide ("Calculating costs"). `tile`: detail "low" costs the fixed base whatever the size
 * (GPT-4o 85, GPT-4.1 85, GPT-5 70, o-series 75, gpt-4o-mini 2,833 — its tiles are priced ×33 so an image costs
 * the same dollars as on GPT-4o). `patch`: ceil(w/32) × ceil(h/32) patches, scaled down to at most 1,536, times the
 * model's multiplier (gpt-5-mini / gpt-4.1-mini 1.62, gpt-5-nano / gpt-4.1-nano 2.46, o4-mini 1.72); `detail`
 * changes nothing there. Longest prefix wins.
 */
type Rule = { kind: 'tile'; lowBase: number } | { kind: 'patch'; multiplier: number };
const RULES: Array<[string, Rule]> = [
  ['gpt-5-nano', { kind: 'patch', multiplier: 2.46 }],
  ['gpt-5-mini', { kind: 'patch', multiplier: 1.62 }],
  ['gpt-4.1-nano', { kind: 'patch', multiplier: 2.46 }],
  ['gpt-4.1-mini', { kind: 'patch', multiplier: 1.62 }],
  ['o4-mini', { kind: 'patch', multiplier: 1.72 }],
  ['gpt-4o-mini', { kind: 'tile', lowBase: 2833 }],
  ['gpt-5', { kind: 'tile', lowBase: 70 }],
  ['gpt-4o', { kind: 'tile', lowBase: 85 }],
  ['gpt-4.1', { kind: 'tile', lowBase: 85 }],
  ['o3', { kind: 'tile', lowBase: 75 }],
  ['o1', { kind: 'tile', lowBase: 75 }],
];
const DEFAULT_RULE: Rule = { kind: 'tile', lowBase: 85 };

function ruleFor(model: string): Rule {
  let best: [string, Rule] | undefined;
  for (const entry of RULES) if (model.startsWith(entry[0]) && (!best || entry[0].length > best[0].length)) best = entry;
  return best?.[1] ?? DEFAULT_RULE;
}

/**
 * The emulator cannot download an image, so it reads the size from the link as Instagram's CDN writes it
 * (`stp=dst-jpg_e35_s320x400`, `/s150x150/`); a link without one is billed as this size, a typical full-size
 * Instagram picture (what the real API would see if it fetched an unsized original).
 */
export const UNSIZED_IMAGE = { width: 1080, height: 1350 };

export function imageSizeOf(url: string): { width: number; height: number } {
  const match = /[_/=][sp](\d{2,4})x(\d{2,4})(?=[_/&.?]|$)/.exec(url);
  return match ? { width: Number(match[1]), height: Number(match[2]) } : UNSIZED_IMAGE;
}

export function imageTokensFor(model: string, width: number, height: number): number {
  const rule = ruleFor(model);
  if (rule.kind === 'tile') return rule.lowBase; // the daemon sends detail "low"; "high" adds tiles (not modelled)
  const PATCH = 32;
  const BUDGET = 1536;
  let patches = Math.ceil(width / PATCH) * Math.ceil(height / PATCH);
  if (patches > BUDGET) {
    // The guide's steps: shrink to the budget's area, then so that the width is a whole number of patches.
    const shrink = Math.sqrt((PATCH * PATCH * BUDGET) / (width * height));
    const widthPatches = (width * shrink) / PATCH;
    const adjust = Math.floor(widthPatches) / widthPatches;
    patches = Math.ceil(widthPatches * adjust) * Math.ceil(((height * shrink) / PATCH) * adjust);
  }
  return Math.ceil(patches * rule.multiplier);
}

// ---- prompt ----------------------------------------------------------------

/** Chat framing: 3 tokens per message and 3 priming the answer (the cookbook's "How to count tokens"). */
const PER_MESSAGE = 3;
const PRIMING = 3;

export interface PromptBill {
  total: number;
  text: number;
  images: number;
}

export function promptTokens(body: ChatRequestBody): PromptBill {
  let text = PRIMING;
  let images = 0;
  for (const message of body.messages) {
    text += PER_MESSAGE + countTokens(message.role);
    for (const part of parts(message)) {
      if (part.type === 'text' && typeof part.text === 'string') text += countTokens(part.text);
      else if (part.type === 'image_url') {
        const { width, height } = imageSizeOf(urlOf(part));
        images += imageTokensFor(body.model, width, height);
      }
    }
  }
  // A structured-output schema reaches the model as text.
  if (body.response_format) text += countTokens(JSON.stringify(body.response_format));
  return { total: text + images, text, images };
}

const parts = (message: ChatMessage): ContentPart[] =>
  typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : Array.isArray(message.content) ? message.content : [];

function urlOf(part: ContentPart): string {
  const image = (part as { image_url?: unknown }).image_url;
  if (typeof image === 'string') return image;
  const url = (image as { url?: unknown } | undefined)?.url;
  return typeof url === 'string' ? url : '';
}

// ---- reasoning ---------------------------------------------------------------

/** Models that reason before answering: the gpt-5 family (not gpt-5-chat) and the o-series. */
export const reasons = (model: string) => /^(gpt-5|o\d)/.test(model) && !model.startsWith('gpt-5-chat');

/**
 * Reasoning tokens per request by effort. OpenAI publishes no figures; these ranges follow what users report for
 * gpt-5-nano on short extraction tasks (issue 22: 1,500–3,000 at the default medium). Without `reasoning_effort`
 * the model reasons at medium. The number within the range is fixed by the seed and the line.
 */
export const REASONING_TOKENS: Record<string, [min: number, max: number]> = {
  none: [0, 0],
  minimal: [0, 0],
  low: [256, 768],
  medium: [1_536, 3_072],
  high: [4_096, 8_192],
};
export const EFFORTS = Object.keys(REASONING_TOKENS);

export function reasoningTokens(model: string, effort: string | undefined, seed: string): number {
  if (!reasons(model)) return 0;
  const [min, max] = REASONING_TOKENS[effort ?? 'medium'] ?? REASONING_TOKENS.medium!;
  return min + (hash(seed) % (max - min + 1));
}

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619) >>> 0;
  return h;
}

// ---- completion ----------------------------------------------------------------

export interface CompletionBill {
  /** The answer as delivered: cut when the cap was reached, '' when reasoning used it all. */
  content: string;
  completionTokens: number;
  reasoningTokens: number;
  cut: boolean;
}

/**
 * Reasoning comes first and counts against `max_completion_tokens` (`max_tokens` on older models); what is left
 * is the visible answer. Reaching the cap ends the answer there, with finish_reason "length".
 */
export function completion(answer: string, reasoning: number, cap: number | null): CompletionBill {
  const answerTokens = encode(answer);
  if (cap === null || reasoning + answerTokens.length <= cap) {
    return { content: answer, completionTokens: reasoning + answerTokens.length, reasoningTokens: reasoning, cut: false };
  }
  const spentOnReasoning = Math.min(reasoning, cap);
  const left = cap - spentOnReasoning;
  return {
    content: left > 0 ? decode(answerTokens.slice(0, left)) : '',
    completionTokens: cap,
    reasoningTokens: spentOnReasoning,
    cut: true,
  };
}

/** max_completion_tokens, or the deprecated max_tokens; null when neither is a positive whole number. */
export function completionCap(body: ChatRequestBody): number | null {
  const value = body['max_completion_tokens'] ?? body['max_tokens'];
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : null;
}
