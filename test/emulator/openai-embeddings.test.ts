// `/v1/embeddings` batches through the real `openai` SDK: reduced dimensions, unit vectors, the same text the same
// vector, and texts sharing words closer than texts that share none (what the lookalike ranking relies on).
import OpenAI, { toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAiEmulator, type OpenAiEmulator } from '../../emulator/openai/index.js';
import { downloadJsonl, toJsonl, waitForBatch } from '../../emulator/openai/testkit.js';

let emu: OpenAiEmulator;
let client: OpenAI;

beforeAll(async () => {
  emu = await startOpenAiEmulator({ seed: 4 });
  client = new OpenAI({ apiKey: 'test', baseURL: emu.baseUrl });
});
afterAll(async () => emu.close());

const line = (customId: string, input: string | string[], extra: Record<string, unknown> = {}) => ({
  custom_id: customId,
  method: 'POST',
  url: '/v1/embeddings',
  body: { model: 'text-embedding-3-small', input, dimensions: 64, ...extra },
});

async function embeddingsBatch(lines: unknown[]) {
  const file = await client.files.create({ file: await toFile(Buffer.from(toJsonl(lines)), 'embed.jsonl'), purpose: 'batch' });
  const batch = await client.batches.create({ input_file_id: file.id, endpoint: '/v1/embeddings', completion_window: '24h' });
  return waitForBatch(client, batch.id);
}

const cosine = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * b[i]!, 0);

describe('embeddings batches', () => {
  it('answers every line with unit vectors of the requested size; same text, same vector; shared words, closer vectors', async () => {
    const texts = {
      food1: 'food blogger almaty recipes home cooking family dinners',
      food2: 'home cooking recipes and family dinners from an almaty food blogger',
      cars: 'car reviews test drives and auto news from moscow',
    };
    const done = await embeddingsBatch([
      line('food1', texts.food1),
      line('food2', texts.food2),
      line('cars', texts.cars),
      line('again', texts.food1),
    ]);
    expect(done.status).toBe('completed');
    expect(done.endpoint).toBe('/v1/embeddings');
    const out = await downloadJsonl(client, done.output_file_id);
    const vec = Object.fromEntries(out.map((l) => [l.custom_id, l.response!.body.data[0].embedding as number[]]));
    expect(out[0]!.response!.body).toMatchObject({
      object: 'list',
      model: 'text-embedding-3-small',
      data: [{ object: 'embedding', index: 0 }],
    });
    expect(out[0]!.response!.body.usage.prompt_tokens).toBeGreaterThan(0);
    for (const v of Object.values(vec)) {
      expect(v).toHaveLength(64);
      expect(Math.sqrt(cosine(v, v))).toBeCloseTo(1, 4);
    }
    expect(vec.again).toEqual(vec.food1);
    expect(cosine(vec.food1!, vec.food2!)).toBeGreaterThan(0.4);
    expect(cosine(vec.food1!, vec.food2!)).toBeGreaterThan(cosine(vec.food1!, vec.cars!) + 0.3);
  });

  it('an array input gets one vector per text; the default size is the model size', async () => {
    const done = await embeddingsBatch([line('pair', ['one text', 'another text'], { dimensions: undefined })]);
    const [result] = await downloadJsonl(client, done.output_file_id);
    expect(result!.response!.body.data.map((d: any) => [d.index, d.embedding.length])).toEqual([
      [0, 1536],
      [1, 1536],
    ]);
  });

  it('a bad line fails the batch in validation, as the real Batch API does', async () => {
    const done = await embeddingsBatch([line('ok', 'text'), line('big', 'text', { dimensions: 5000 }), line('empty', '')]);
    expect(done.status).toBe('failed');
    expect(done.errors?.data?.map((e) => [e.line, e.param])).toEqual([
      [2, 'body.dimensions'],
      [3, 'body.input'],
    ]);
  });
});
