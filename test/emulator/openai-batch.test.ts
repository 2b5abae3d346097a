// The whole batch flow through the real `openai` SDK: upload, create, poll,
// download — and the answers reflect what the prompt contained.
import OpenAI, { toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startOpenAiEmulator, type OpenAiEmulator } from '../../emulator/openai/index.js';
import { downloadJsonl, profileRequestLine, sampleInsightsSchema, submitBatch, waitForBatch } from '../../emulator/openai/testkit.js';

const KAZAKH_MOM = profileRequestLine({
  customId: 'blog-1',
  username: 'aigerim.mom',
  bio: 'Үш баланың анасы. Алматы',
  posts: ['Бүгін балаларым мектепке барды', 'Отбасымен демалыс'],
  images: 4,
});
const RUSSIAN_AUTO = profileRequestLine({
  customId: 'blog-2',
  username: 'auto_ivan',
  bio: 'Обзоры авто и тест-драйвы, Москва',
  posts: ['Новая машина — тест-драйв', 'Сегодня снова в дороге на машине'],
  images: 10,
});
const ENGLISH_TRAVEL = profileRequestLine({
  customId: 'blog-3',
  username: 'wander.kate',
  bio: 'Travel blogger, hotels and trips around the world',
  posts: ['Sunset over the old town, best trip this year', 'Packing tips for a long travel day'],
  images: 0,
});

let emu: OpenAiEmulator;
let client: OpenAI;

beforeAll(async () => {
  emu = await startOpenAiEmulator({ seed: 42 });
  client = new OpenAI({ apiKey: 'test', baseURL: emu.baseUrl, maxRetries: 0 });
});
afterAll(() => emu.close());

describe('a batch through the openai SDK', () => {
  it('runs validating → in_progress → finalizing → completed and answers every line', async () => {
    const created = await submitBatch(client, [KAZAKH_MOM, RUSSIAN_AUTO, ENGLISH_TRAVEL], { metadata: { run: 'happy' } });
    expect(created).toMatchObject({ object: 'batch', status: 'validating', endpoint: '/v1/chat/completions', completion_window: '24h' });
    expect(created.expires_at! - created.created_at).toBe(24 * 60 * 60);
    expect(created.metadata).toEqual({ run: 'happy' });

    const done = await waitForBatch(client, created.id);
    expect(done.status).toBe('completed');
    expect(done.request_counts).toEqual({ total: 3, completed: 3, failed: 0 });
    expect(done.model).toBe('gpt-5-nano');
    expect(done.error_file_id).toBeNull();
    for (const field of ['in_progress_at', 'finalizing_at', 'completed_at'] as const) expect(done[field]).toBeTypeOf('number');
    expect(done.usage!.input_tokens).toBeGreaterThan(0);
    expect(done.usage!.total_tokens).toBe(done.usage!.input_tokens + done.usage!.output_tokens);

    const lines = await downloadJsonl(client, done.output_file_id);
    expect(lines.map((l) => l.custom_id).sort()).toEqual(['blog-1', 'blog-2', 'blog-3']);
    const validator = z.fromJSONSchema(sampleInsightsSchema() as never);
    for (const line of lines) {
      expect(line.id).toMatch(/^batch_req_/);
      expect(line.error).toBeNull();
      expect(line.response!.status_code).toBe(200);
      expect(line.response!.request_id).toMatch(/^req_/);
      const body = line.response!.body;
      expect(body).toMatchObject({ object: 'chat.completion', model: 'gpt-5-nano' });
      expect(body.choices[0]).toMatchObject({ finish_reason: 'stop', message: { role: 'assistant', refusal: null } });
      expect(body.usage.total_tokens).toBe(body.usage.prompt_tokens + body.usage.completion_tokens);
      const parsed = validator.safeParse(JSON.parse(body.choices[0].message.content));
      expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
    }
  });

  it('derives the answer from the prompt: language, images, username, topic, places', async () => {
    const done = await waitForBatch(client, (await submitBatch(client, [KAZAKH_MOM, RUSSIAN_AUTO, ENGLISH_TRAVEL])).id);
    const byId = Object.fromEntries(
      (await downloadJsonl(client, done.output_file_id)).map((l) => [l.custom_id, JSON.parse(l.response!.body.choices[0].message.content)]),
    );
    expect(byId['blog-1'].content).toMatchObject({
      content_language: ['kazakh'],
      posts_in_kazakh: true,
      posts_in_russian: false,
      primary_topic: 'parenting',
    });
    expect(byId['blog-1'].notes).toContain('username: aigerim.mom; images: 4');
    expect(byId['blog-1'].audience_inference).toMatchObject({ estimated_audience_geo: 'kz', geo_mentions: ['Almaty'] });
    expect(byId['blog-1'].life_situation.has_children).toBe(true);

    expect(byId['blog-2'].content).toMatchObject({
      content_language: ['russian'],
      posts_in_russian: true,
      posts_in_kazakh: false,
      primary_topic: 'auto',
    });
    expect(byId['blog-2'].notes).toContain('username: auto_ivan; images: 10');
    expect(byId['blog-2'].lifestyle.has_car).toBe(true);
    expect(byId['blog-2'].audience_inference.geo_mentions).toEqual(['Moscow']);

    expect(byId['blog-3'].content).toMatchObject({
      content_language: ['english'],
      posts_in_russian: false,
      posts_in_kazakh: false,
      primary_topic: 'travel',
    });
    expect(byId['blog-3'].notes).toContain('username: wander.kate; images: 0');
    for (const answer of Object.values(byId)) expect(answer.confidence).toBeGreaterThanOrEqual(0);
    // More material → more confidence.
    expect(byId['blog-2'].confidence).toBeGreaterThan(byId['blog-3'].confidence);
  });

  it('shows what reached the model through inspection', async () => {
    const batch = await submitBatch(client, [RUSSIAN_AUTO]);
    const [view] = emu.batchRequests(batch.id);
    expect(view).toMatchObject({ line: 1, custom_id: 'blog-2', method: 'POST', url: '/v1/chat/completions' });
    expect(view!.facts).toMatchObject({ username: 'auto_ivan', imageCount: 10, languages: ['russian'] });
    expect(emu.requests().some((r) => r.method === 'POST' && r.path === '/v1/batches' && r.status === 200)).toBe(true);
  });
});

describe('files', () => {
  it('uploads, retrieves, lists and deletes files', async () => {
    const file = await client.files.create({ file: await toFile(Buffer.from('{"a":1}\n'), 'x.jsonl'), purpose: 'batch' });
    expect(file).toMatchObject({ object: 'file', purpose: 'batch', filename: 'x.jsonl', bytes: 8, status: 'processed' });
    expect(await client.files.retrieve(file.id)).toEqual(file);
    expect(await (await client.files.content(file.id)).text()).toBe('{"a":1}\n');
    const listed = [];
    for await (const f of client.files.list({ purpose: 'batch' })) listed.push(f.id);
    expect(listed[0]).toBe(file.id); // newest first
    expect(await client.files.delete(file.id)).toEqual({ id: file.id, object: 'file', deleted: true });
    await expect(client.files.retrieve(file.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });
});

describe('batch list pagination', () => {
  it('pages with limit/after as the SDK iterator expects, newest first', async () => {
    const local = await startOpenAiEmulator({ seed: 3 });
    const sdk = new OpenAI({ apiKey: 'k', baseURL: local.baseUrl, maxRetries: 0 });
    try {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push((await submitBatch(sdk, [KAZAKH_MOM])).id);
      const first = await sdk.batches.list({ limit: 2 });
      expect(first.data.map((b) => b.id)).toEqual([ids[4], ids[3]]);
      expect(first.has_more).toBe(true);
      const seen: string[] = [];
      for await (const b of sdk.batches.list({ limit: 2 })) seen.push(b.id);
      expect(seen).toEqual([...ids].reverse());
      const last = await sdk.batches.list({ limit: 2, after: ids[1] });
      expect(last.data.map((b) => b.id)).toEqual([ids[0]]);
      expect(last.has_more).toBe(false);
    } finally {
      await local.close();
    }
  });
});

describe('auth', () => {
  it('answers 401 in OpenAI error shape without a bearer key', async () => {
    const res = await fetch(`${emu.baseUrl}/batches`);
    expect(res.status).toBe(401);
    const body = (await res.json()) as { error: Record<string, unknown> };
    expect(Object.keys(body.error).sort()).toEqual(['code', 'message', 'param', 'type']);
    expect(body.error.type).toBe('invalid_request_error');
  });

  it('can restrict accepted keys', async () => {
    const strict = await startOpenAiEmulator({ apiKeys: ['good-key'] });
    try {
      const bad = new OpenAI({ apiKey: 'wrong-key-123', baseURL: strict.baseUrl, maxRetries: 0 });
      await expect(bad.batches.list()).rejects.toMatchObject({ status: 401, code: 'invalid_api_key' });
      const good = new OpenAI({ apiKey: 'good-key', baseURL: strict.baseUrl, maxRetries: 0 });
      expect((await good.batches.list()).data).toEqual([]);
    } finally {
      await strict.close();
    }
  });
});

describe('determinism', () => {
  async function outputOf(seed: number): Promise<string> {
    let now = Date.UTC(2025, 0, 1);
    const local = await startOpenAiEmulator({ seed, clock: { now: () => now } });
    const sdk = new OpenAI({ apiKey: 'k', baseURL: local.baseUrl, maxRetries: 0 });
    try {
      const batch = await submitBatch(sdk, [KAZAKH_MOM, RUSSIAN_AUTO, ENGLISH_TRAVEL]);
      now += 60_000;
      const done = await sdk.batches.retrieve(batch.id);
      expect(done.status).toBe('completed');
      return await (await sdk.files.content(done.output_file_id!)).text();
    } finally {
      await local.close();
    }
  }

  it('gives byte-identical output for the same seed and input, different ids for another seed', async () => {
    const [a, b, c] = await Promise.all([outputOf(9), outputOf(9), outputOf(10)]);
    expect(a).toBe(b);
    expect(c).not.toBe(a);
    const contents = (text: string) =>
      text
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).response.body.choices[0].message.content)
        .sort();
    // The prompt-derived parts do not depend on the seed.
    expect(contents(c).map((x) => JSON.parse(x).content.primary_topic)).toEqual(
      contents(a).map((x) => JSON.parse(x).content.primary_topic),
    );
  });

  it('keeps ids stable however often a client polls', async () => {
    const ids = async (polls: number) => {
      const local = await startOpenAiEmulator({ seed: 11 });
      const sdk = new OpenAI({ apiKey: 'k', baseURL: local.baseUrl, maxRetries: 0 });
      try {
        const first = await submitBatch(sdk, [KAZAKH_MOM]);
        for (let i = 0; i < polls; i++) await sdk.batches.retrieve(first.id);
        const done = await waitForBatch(sdk, first.id);
        const second = await submitBatch(sdk, [RUSSIAN_AUTO]);
        return [first.id, first.input_file_id, done.output_file_id, second.id, second.input_file_id];
      } finally {
        await local.close();
      }
    };
    expect(await ids(0)).toEqual(await ids(7));
  });
});
