// Inspection helpers for tests: what the daemon actually sent in a batch.
import { analyzePrompt, type PromptFacts } from './prompt.js';
import type { ChatMessage } from './types.js';
import { isObject } from './validation.js';

export interface RequestView {
  /** 1-based line number in the input file. */
  line: number;
  custom_id: string | null;
  method: unknown;
  url: unknown;
  body: Record<string, unknown> | null;
  /** What the emulator reads from the prompt (null when the line has no messages). */
  facts: PromptFacts | null;
}

/** Parses every JSON line of an input file, leniently: unparseable lines are skipped. */
export function inspectRequests(jsonl: string): RequestView[] {
  const views: RequestView[] = [];
  jsonl.split('\n').forEach((raw, index) => {
    if (raw.trim() === '') return;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      return;
    }
    if (!isObject(json)) return;
    const body = isObject(json.body) ? json.body : null;
    const messages = Array.isArray(body?.messages) ? (body.messages as ChatMessage[]) : null;
    views.push({
      line: index + 1,
      custom_id: typeof json.custom_id === 'string' ? json.custom_id : null,
      method: json.method,
      url: json.url,
      body,
      facts: messages ? analyzePrompt(messages) : null,
    });
  });
  return views;
}

export function parseJsonl<T = unknown>(text: string): T[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as T);
}
