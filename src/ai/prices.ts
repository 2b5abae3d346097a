/**
 * What OpenAI charges per token, for the cost figures of /api/stats, /metrics and the bench. Prices are the Batch
 * API's (half the standard price), in US dollars per 1 million tokens, from openai.com/api/pricing (November 2026
 * list; gpt-5 family, gpt-4.1 family, gpt-4o family, o4-mini). Reasoning tokens are billed as output tokens.
 * AI_PRICES overrides or adds models; the longest model-name prefix wins, so "gpt-5-nano-2025-08-07" is gpt-5-nano.
 */
export interface TokenPrice {
  /** $ per 1M input (prompt) tokens, images included. */
  input: number;
  /** $ per 1M output (completion) tokens, reasoning included. */
  output: number;
}
export type PriceTable = Readonly<Record<string, TokenPrice>>;

export const DEFAULT_AI_PRICES: PriceTable = {
  'gpt-5-nano': { input: 0.025, output: 0.2 },
  'gpt-5-mini': { input: 0.125, output: 1.0 },
  'gpt-5': { input: 0.625, output: 5.0 },
  'gpt-4.1-nano': { input: 0.05, output: 0.2 },
  'gpt-4.1-mini': { input: 0.2, output: 0.8 },
  'gpt-4.1': { input: 1.0, output: 4.0 },
  'gpt-4o-mini': { input: 0.075, output: 0.3 },
  'gpt-4o': { input: 1.25, output: 5.0 },
  'o4-mini': { input: 0.55, output: 2.2 },
};

/** The price of `model` (longest matching prefix), or null when the table does not know it. */
export function priceOf(model: string, table: PriceTable): TokenPrice | null {
  let best: string | null = null;
  for (const prefix of Object.keys(table)) if (model.startsWith(prefix) && (best === null || prefix.length > best.length)) best = prefix;
  return best === null ? null : table[best]!;
}

/** Dollars for that many tokens at `price`. */
export const dollars = (price: TokenPrice, input: number, output: number) => (input * price.input + output * price.output) / 1e6;
