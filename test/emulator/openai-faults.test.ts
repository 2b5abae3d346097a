// Every fault mode end to end through the real SDK: what the daemon will see
// for refusals, broken content, failed lines, expired/failed/stuck/cancelled batches.
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startOpenAiEmulator, type OpenAiEmulator } from '../../emulator/openai/index.js';
import {
  downloadJsonl,
  profileRequestLine,
  sampleInsightsSchema,
  submitBatch,
  waitForBatch,
  type ResultLine,
} from '../../emulator/openai/testkit.js';

const lines = ['a', 'b', 'c'].map((id, i) =>
  profileRequestLine({ customId: id, username: `user_${id}`, bio: `Мама и путешествия, пост ${i}`, images: i }),
);
const validator = z.fromJSONSchema(sampleInsightsSchema() as never);
const contentOf = (line: ResultLine) => line.response!.body.choices[0].message as { content: string | null; refusal: string | null };

let emu: OpenAiEmulator;
let client: OpenAI;

beforeAll(async () => {
  emu = await startOpenAiEmulator({ seed: 5, timings: { validatingMs: 5, inProgressMs: 20, finalizingMs: 5, cancellingMs: 5 } });
  client = new OpenAI({ apiKey: 'test', baseURL: emu.baseUrl, maxRetries: 0 });
});
afterEach(() => emu.clearFaults());
afterAll(() => emu.close());

async function run(batchLines: unknown[] = lines) {
  const batch = await waitForBatch(client, (await submitBatch(client, batchLines)).id);
  const output = await downloadJsonl(client, batch.output_file_id);
  const errors = await downloadJsonl(client, batch.error_file_id);
  const byId = (id: string) => output.find((l) => l.custom_id === id)!;
  return { batch, output, errors, byId };
}

describe('line faults', () => {
  it('refusal: message.refusal set, content null, still a 200 line', async () => {
    emu.setLineFault('refusal', { customIds: ['b'] });
    const { batch, byId } = await run();
    expect(batch.request_counts).toEqual({ total: 3, completed: 3, failed: 0 });
    expect(contentOf(byId('b'))).toMatchObject({ content: null, refusal: expect.stringContaining("can't") });
    expect(validator.safeParse(JSON.parse(contentOf(byId('a')).content!)).success).toBe(true);
  });

  it('invalid_json: cut-off content with finish_reason "length"', async () => {
    emu.setLineFault('invalid_json', { customIds: ['a'] });
    const { byId } = await run();
    expect(byId('a').response!.body.choices[0].finish_reason).toBe('length');
    expect(() => JSON.parse(contentOf(byId('a')).content!)).toThrow();
    expect(() => JSON.parse(contentOf(byId('c')).content!)).not.toThrow();
  });

  it('schema_violation: parses but does not validate', async () => {
    emu.setLineFault({ mode: 'schema_violation' }, { customIds: ['c'] });
    const { byId } = await run();
    const value: unknown = JSON.parse(contentOf(byId('c')).content!);
    expect(validator.safeParse(value).success).toBe(false);
    expect(validator.safeParse(JSON.parse(contentOf(byId('b')).content!)).success).toBe(true);
  });

  it('line_error: the request goes to the error file and counts as failed', async () => {
    emu.setLineFault({ mode: 'line_error', status: 500 }, { customIds: ['a'] });
    const { batch, output, errors } = await run();
    expect(batch.request_counts).toEqual({ total: 3, completed: 2, failed: 1 });
    expect(output.map((l) => l.custom_id).sort()).toEqual(['b', 'c']);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      custom_id: 'a',
      error: null,
      response: { status_code: 500, body: { error: { type: 'server_error', param: null, code: null } } },
    });
    expect(errors[0]!.id).toMatch(/^batch_req_/);
  });

  it('a global fault with a rate hits a deterministic share of lines', async () => {
    const many = Array.from({ length: 20 }, (_, i) => profileRequestLine({ customId: `x${i}`, username: `u${i}`, bio: 'bio text here' }));
    emu.setLineFault('refusal', { rate: 0.5 });
    const first = await run(many);
    const refused = first.output
      .filter((l) => contentOf(l).refusal !== null)
      .map((l) => l.custom_id)
      .sort();
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.length).toBeLessThan(20);
    const second = await run(many);
    expect(
      second.output
        .filter((l) => contentOf(l).refusal !== null)
        .map((l) => l.custom_id)
        .sort(),
    ).toEqual(refused);
  });

  it('per-custom_id faults win over the global one', async () => {
    emu.setLineFault('invalid_json');
    emu.setLineFault('refusal', { customIds: ['a'] });
    const { byId } = await run();
    expect(contentOf(byId('a')).refusal).not.toBeNull();
    expect(byId('b').response!.body.choices[0].finish_reason).toBe('length');
  });
});

describe('batch faults', () => {
  it('expire: partial output, the rest batch_expired in the error file', async () => {
    emu.setBatchFault({ kind: 'expire', completedLines: 1 }, { times: 1 });
    const { batch, output, errors } = await run();
    expect(batch.status).toBe('expired');
    expect(batch.expired_at).toBeTypeOf('number');
    expect(batch.request_counts).toMatchObject({ total: 3, completed: 1 });
    expect(output).toHaveLength(1);
    expect(errors).toHaveLength(2);
    for (const line of errors) {
      expect(line).toMatchObject({ response: null, error: { code: 'batch_expired' } });
    }
    // `times: 1` → the next batch is healthy again.
    expect((await run()).batch.status).toBe('completed');
  });

  it('fail: the batch fails in validation with errors.data', async () => {
    emu.setBatchFault({ kind: 'fail' });
    const { batch } = await run();
    expect(batch.status).toBe('failed');
    expect(batch.failed_at).toBeTypeOf('number');
    expect(batch.output_file_id).toBeNull();
    expect(batch.errors!.data![0]).toMatchObject({ code: 'token_limit_exceeded', line: null });
  });

  it('stuck: stays in_progress past expiry until cancelled', async () => {
    let now = Date.UTC(2025, 5, 1);
    const local = await startOpenAiEmulator({ clock: { now: () => now } });
    const sdk = new OpenAI({ apiKey: 'k', baseURL: local.baseUrl, maxRetries: 0 });
    try {
      local.setBatchFault({ kind: 'stuck' });
      const batch = await submitBatch(sdk, lines);
      now += 30 * 60 * 60 * 1000; // 30 h: past the 24 h window and the daemon's 26 h
      expect(await sdk.batches.retrieve(batch.id)).toMatchObject({ status: 'in_progress', request_counts: { completed: 0 } });
      const cancelling = await sdk.batches.cancel(batch.id);
      expect(cancelling.status).toBe('cancelling');
      expect(cancelling.cancelling_at).toBeTypeOf('number');
      now += 1_000;
      const cancelled = await sdk.batches.retrieve(batch.id);
      expect(cancelled.status).toBe('cancelled');
      expect(cancelled.output_file_id).toBeNull();
      const errors = await downloadJsonl(sdk, cancelled.error_file_id);
      expect(errors.map((l) => l.error?.code)).toEqual(['batch_cancelled', 'batch_cancelled', 'batch_cancelled']);
    } finally {
      await local.close();
    }
  });

  it('a fault can be set on an existing batch', async () => {
    let now = Date.UTC(2025, 5, 1);
    const local = await startOpenAiEmulator({ clock: { now: () => now } });
    const sdk = new OpenAI({ apiKey: 'k', baseURL: local.baseUrl, maxRetries: 0 });
    try {
      const batch = await submitBatch(sdk, lines);
      local.setBatchFault({ kind: 'expire', completedLines: 2 }, { batchId: batch.id });
      now += 10_000;
      const done = await sdk.batches.retrieve(batch.id);
      expect(done).toMatchObject({ status: 'expired', request_counts: { total: 3, completed: 2, failed: 0 } });
    } finally {
      await local.close();
    }
  });
});

describe('cancel', () => {
  it('keeps the lines answered before the cancel (partial output)', async () => {
    let now = Date.UTC(2025, 5, 1);
    const local = await startOpenAiEmulator({
      clock: { now: () => now },
      timings: { validatingMs: 0, inProgressMs: 1000 },
      outputOrder: 'input',
    });
    const sdk = new OpenAI({ apiKey: 'k', baseURL: local.baseUrl, maxRetries: 0 });
    try {
      const four = [...lines, profileRequestLine({ customId: 'd', username: 'user_d', bio: 'x' })];
      const batch = await submitBatch(sdk, four);
      now += 500; // half-way through in_progress: 2 of 4 answered
      expect((await sdk.batches.retrieve(batch.id)).request_counts).toEqual({ total: 4, completed: 2, failed: 0 });
      await sdk.batches.cancel(batch.id);
      now += 100;
      const cancelled = await sdk.batches.retrieve(batch.id);
      expect(cancelled.status).toBe('cancelled');
      expect((await downloadJsonl(sdk, cancelled.output_file_id)).map((l) => l.custom_id)).toEqual(['a', 'b']);
      expect((await downloadJsonl(sdk, cancelled.error_file_id)).map((l) => [l.custom_id, l.error?.code])).toEqual([
        ['c', 'batch_cancelled'],
        ['d', 'batch_cancelled'],
      ]);
    } finally {
      await local.close();
    }
  });

  it('refuses to cancel a finished batch', async () => {
    const { batch } = await run();
    await expect(client.batches.cancel(batch.id)).rejects.toBeInstanceOf(OpenAI.BadRequestError);
  });
});

describe('HTTP faults', () => {
  it('answers the next matching requests with the injected status', async () => {
    emu.failRequests({ status: 500, count: 1, pathPrefix: '/v1/batches' });
    await expect(client.batches.list()).rejects.toBeInstanceOf(OpenAI.InternalServerError);
    await expect(client.batches.list()).resolves.toBeDefined();
    emu.failRequests({ status: 429, count: 1 });
    await expect(client.files.list()).rejects.toBeInstanceOf(OpenAI.RateLimitError);
  });
});
