// `/v1/embeddings` batch lines (issue 19: lookalikes). The body the real endpoint takes is `{ model, input,
// dimensions?, encoding_format? }` (https://platform.openai.com/docs/api-reference/embeddings/create); its answer is
// `{ object: 'list', data: [{ object: 'embedding', index, embedding }], model, usage: { prompt_tokens,
// total_tokens } }`. The Batch API accepts `/v1/embeddings` as a batch endpoint
// (https://platform.openai.com/docs/api-reference/batch/create).
//
// The vectors are a deterministic stand-in for a real model, with the property the daemon relies on: texts that
// share words have close vectors. Feature hashing (Weinberger et al. 2009): every word and every word pair of the
// text adds ±1 at a dimension chosen by its hash, the sign by another bit of it; the sum is L2-normalised, as the
// real text-embedding-3 vectors are. Cosine similarity is then about the share of words the texts share. The same
// text gives the same vector whatever the seed, batch or line.
import { hashString } from '../world/prng.js';

/** Native sizes of the embedding models; `dimensions` may shorten them (text-embedding-3 only). */
export const EMBEDDING_MODELS: Record<string, { dimensions: number; shortenable: boolean }> = {
  'text-embedding-3-small': { dimensions: 1536, shortenable: true },
  'text-embedding-3-large': { dimensions: 3072, shortenable: true },
  'text-embedding-ada-002': { dimensions: 1536, shortenable: false },
};

export interface EmbeddingRequestBody {
  model: string;
  input: string | string[];
  dimensions?: number;
  encoding_format?: 'float' | 'base64';
}

/** The problem with a line's body, as the real endpoint words it, or null. */
export function checkEmbeddingBody(body: Record<string, unknown>): { message: string; param: string } | null {
  const model = EMBEDDING_MODELS[String(body.model)];
  if (!model) return { message: `The model '${String(body.model)}' does not exist or you do not have access to it.`, param: 'body.model' };
  const input = body.input;
  const texts = typeof input === 'string' ? [input] : Array.isArray(input) ? input : null;
  if (!texts || texts.length === 0 || texts.some((t) => typeof t !== 'string' || t === '')) {
    return { message: "'input' must be a non-empty string or a non-empty array of non-empty strings.", param: 'body.input' };
  }
  if (body.dimensions !== undefined) {
    if (!model.shortenable) return { message: `This model does not support specifying dimensions.`, param: 'body.dimensions' };
    if (!Number.isInteger(body.dimensions) || (body.dimensions as number) < 1 || (body.dimensions as number) > model.dimensions) {
      return { message: `Invalid 'dimensions': must be an integer between 1 and ${model.dimensions}.`, param: 'body.dimensions' };
    }
  }
  if (body.encoding_format !== undefined && body.encoding_format !== 'float' && body.encoding_format !== 'base64') {
    return { message: "Invalid 'encoding_format': must be 'float' or 'base64'.", param: 'body.encoding_format' };
  }
  return null;
}

const words = (text: string) => text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];

/** The unit vector of `text` in `dimensions` dimensions. */
export function embedText(text: string, dimensions: number): number[] {
  const vector = new Array<number>(dimensions).fill(0);
  const tokens = words(text);
  const features = [...tokens, ...tokens.slice(1).map((w, i) => `${tokens[i]} ${w}`)];
  for (const feature of features) {
    const h = hashString(feature, 17);
    vector[h % dimensions]! += Math.floor(h / dimensions) % 2 === 0 ? 1 : -1;
  }
  const norm = Math.sqrt(vector.reduce((sum, v) => sum + v * v, 0));
  // An input with no word still gets a unit vector (the real API never answers a zero vector).
  if (norm === 0) return vector.map((_, i) => (i === 0 ? 1 : 0));
  return vector.map((v) => Math.round((v / norm) * 1e6) / 1e6);
}

/** About 4 characters a token, as the chat responder estimates. */
const tokensOf = (text: string) => Math.max(1, Math.ceil(text.length / 4));

export function embeddingResponse(body: EmbeddingRequestBody): { body: Record<string, unknown>; promptTokens: number } {
  const texts = typeof body.input === 'string' ? [body.input] : body.input;
  const dimensions = body.dimensions ?? EMBEDDING_MODELS[body.model]!.dimensions;
  const promptTokens = texts.reduce((sum, t) => sum + tokensOf(t), 0);
  const data = texts.map((text, index) => {
    const vector = embedText(text, dimensions);
    const embedding = body.encoding_format === 'base64' ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector;
    return { object: 'embedding', index, embedding };
  });
  return {
    body: { object: 'list', data, model: body.model, usage: { prompt_tokens: promptTokens, total_tokens: promptTokens } },
    promptTokens,
  };
}
