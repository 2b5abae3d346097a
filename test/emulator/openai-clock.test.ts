// Time: an injected clock moves batches (compressed-time tests), manual control
// moves them by hand, the 24 h window expires them; and the control routes do
// over HTTP what the programmatic API does.
import { Hono } from 'hono';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { startOpenAiEmulator, type OpenAiEmulator, type OpenAiEmulatorOptions } from '../../emulator/openai/index.js';
import { downloadJsonl, profileRequestLine, submitBatch } from '../../emulator/openai/testkit.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const START = Date.UTC(2025, 2, 1, 12, 0, 0);
const lines = ['a', 'b', 'c'].map((id) => profileRequestLine({ customId: id, username: id, bio: 'Алматы, мама' }));

let emu: OpenAiEmulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

async function withClock(options: OpenAiEmulatorOptions = {}) {
  const clock = { t: START, now: () => clock.t };
  emu = await startOpenAiEmulator({ clock, ...options });
  const client = new OpenAI({ apiKey: 'k', baseURL: emu.baseUrl, maxRetries: 0 });
  return { clock, client, emu };
}

describe('compressed time', () => {
  it('moves through the phases on the injected clock with due-time timestamps', async () => {
    const { clock, client } = await withClock({ timings: { validatingMs: 10 * MIN, inProgressMs: 2 * HOUR, finalizingMs: 5 * MIN } });
    const batch = await submitBatch(client, lines);
    clock.t += 5 * MIN;
    expect((await client.batches.retrieve(batch.id)).status).toBe('validating');
    clock.t += HOUR; // 1 h into a 2 h in_progress
    const running = await client.batches.retrieve(batch.id);
    expect(running).toMatchObject({ status: 'in_progress', in_progress_at: batch.created_at + 600 });
    expect(running.request_counts).toMatchObject({ total: 3, completed: 1 });
    clock.t += 3 * HOUR;
    const done = await client.batches.retrieve(batch.id);
    expect(done).toMatchObject({
      status: 'completed',
      finalizing_at: batch.created_at + 600 + 7200,
      completed_at: batch.created_at + 600 + 7200 + 300,
      request_counts: { total: 3, completed: 3, failed: 0 },
    });
  });

  it('expires at created + 24 h with the lines answered so far', async () => {
    const { clock, client } = await withClock({ timings: { validatingMs: 0, inProgressMs: 36 * HOUR }, outputOrder: 'input' });
    const batch = await submitBatch(client, lines);
    clock.t += 25 * HOUR;
    const expired = await client.batches.retrieve(batch.id);
    expect(expired).toMatchObject({ status: 'expired', expired_at: batch.expires_at, request_counts: { total: 3, completed: 2 } });
    expect((await downloadJsonl(client, expired.output_file_id)).map((l) => l.custom_id)).toEqual(['a', 'b']);
    expect(await downloadJsonl(client, expired.error_file_id)).toMatchObject([
      { custom_id: 'c', response: null, error: { code: 'batch_expired' } },
    ]);
  });
});

describe('manual control', () => {
  it('with Infinity timings a batch moves only by advance()', async () => {
    const { clock, client, emu } = await withClock({ timings: { validatingMs: Infinity, inProgressMs: Infinity, finalizingMs: Infinity } });
    const batch = await submitBatch(client, lines);
    clock.t += 23 * HOUR;
    expect((await client.batches.retrieve(batch.id)).status).toBe('validating');
    expect(emu.advance(batch.id).status).toBe('in_progress');
    expect(emu.advance(batch.id)).toMatchObject({ status: 'finalizing', request_counts: { completed: 3 } });
    expect(emu.advance(batch.id).status).toBe('completed');
    expect((await client.batches.retrieve(batch.id)).output_file_id).toMatch(/^file-/);
  });

  it('complete() runs to the end state, honouring the batch fault', async () => {
    const { client, emu } = await withClock({ timings: { validatingMs: Infinity } });
    const plain = await submitBatch(client, lines);
    expect(emu.complete(plain.id).status).toBe('completed');
    emu.setBatchFault({ kind: 'expire', completedLines: 0 }, { times: 1 });
    const doomed = await submitBatch(client, lines);
    expect(emu.complete(doomed.id)).toMatchObject({ status: 'expired', output_file_id: null });
    expect(emu.batchResults(doomed.id).errors).toHaveLength(3);
  });

  it('expire() ends a running batch now', async () => {
    const { client, emu } = await withClock({ timings: { validatingMs: 0, inProgressMs: Infinity } });
    const batch = await submitBatch(client, lines);
    expect(emu.expire(batch.id, 1)).toMatchObject({ status: 'expired', request_counts: { completed: 1 } });
  });
});

describe('control routes', () => {
  async function call(app: Hono, method: string, path: string, body?: unknown) {
    const res = await app.request(path, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    return { status: res.status, json: (await res.json()) as any };
  }

  it('switch faults, move batches and inspect over HTTP', async () => {
    const { client, emu } = await withClock({ timings: { validatingMs: Infinity } });
    const app = new Hono().route('/openai', emu.controlRoutes());

    expect((await call(app, 'PUT', '/openai/faults/line', { fault: 'refusal', customIds: ['b'] })).json.lineByCustomId).toEqual({
      b: { mode: 'refusal' },
    });
    expect((await call(app, 'PUT', '/openai/faults/line', { fault: 'nonsense' })).status).toBe(400);
    const batch = await submitBatch(client, lines);
    expect((await call(app, 'GET', `/openai/batches/${batch.id}/requests`)).json).toHaveLength(3);
    expect((await call(app, 'POST', `/openai/batches/${batch.id}/complete`)).json.status).toBe('completed');
    const results = (await call(app, 'GET', `/openai/batches/${batch.id}/results`)).json;
    const refused = results.output.find((l: any) => l.custom_id === 'b');
    expect(refused.response.body.choices[0].message.refusal).not.toBeNull();

    await call(app, 'PUT', '/openai/faults/batch', { fault: { kind: 'fail', code: 'quota' }, times: 1 });
    const failing = await submitBatch(client, lines);
    expect((await call(app, 'POST', `/openai/batches/${failing.id}/advance`)).json).toMatchObject({
      status: 'failed',
      errors: { data: [{ code: 'quota' }] },
    });
    expect((await call(app, 'DELETE', '/openai/faults')).json).toMatchObject({ globalLine: null, lineByCustomId: {}, batch: null });
    expect((await call(app, 'GET', '/openai/requests')).json.length).toBeGreaterThan(0);
    expect((await call(app, 'GET', '/openai/batches/batch_missing')).status).toBe(404);
  });
});
