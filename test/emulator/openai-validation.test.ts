// Malformed input is rejected the way OpenAI rejects it: bad files fail the
// batch with `errors.data`, bad create parameters are 400s, a schema strict mode
// refuses makes that one request a 400 line in the error file.
import OpenAI, { toFile } from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAiEmulator, type OpenAiEmulator } from '../../emulator/openai/index.js';
import { downloadJsonl, profileRequestLine, submitBatch, toJsonl, waitForBatch } from '../../emulator/openai/testkit.js';

let emu: OpenAiEmulator;
let client: OpenAI;

beforeAll(async () => {
  emu = await startOpenAiEmulator({ timings: { validatingMs: 1, inProgressMs: 5, finalizingMs: 1 } });
  client = new OpenAI({ apiKey: 'test', baseURL: emu.baseUrl, maxRetries: 0 });
});
afterEach(() => emu.setLimits({ maxRequestsPerFile: 50_000, maxFileBytes: 200 * 1024 * 1024 }));
afterAll(() => emu.close());

const good = (id: string, extra: Record<string, unknown> = {}) => ({
  ...profileRequestLine({ customId: id, username: id, bio: 'b' }),
  ...extra,
});

async function failedErrors(content: unknown[] | string) {
  const batch = await waitForBatch(client, (await submitBatch(client, content)).id);
  expect(batch.status).toBe('failed');
  expect(batch.output_file_id).toBeNull();
  return batch.errors!.data!;
}

describe('input file validation', () => {
  it('reports an unparseable line with its line number', async () => {
    const jsonl = `${JSON.stringify(good('1'))}\n{not json\n`;
    expect(await failedErrors(jsonl)).toEqual([
      { code: 'invalid_json_line', line: 2, message: 'This line is not parseable as valid JSON.', param: null },
    ]);
  });

  it.each([
    ['duplicate custom_id', [good('1'), good('1')], 'duplicate_custom_id', 'custom_id'],
    ['missing custom_id', [good('1', { custom_id: undefined })], 'missing_required_parameter', 'custom_id'],
    ['GET method', [good('1', { method: 'GET' })], 'invalid_method', 'method'],
    ['url not the endpoint', [good('1', { url: '/v1/embeddings' })], 'url_mismatch', 'url'],
    [
      'body without model',
      [good('1', { body: { messages: [{ role: 'user', content: 'hi' }] } })],
      'missing_required_parameter',
      'body.model',
    ],
    ['body without messages', [good('1', { body: { model: 'gpt-5-nano' } })], 'missing_required_parameter', 'body.messages'],
  ])('%s', async (_name, content, code, param) => {
    const errors = await failedErrors(content);
    expect(errors[errors.length - 1]).toMatchObject({ code, param, line: content.length });
  });

  it('requires one model per batch', async () => {
    const other = profileRequestLine({ customId: '2', username: 'x', bio: 'b', model: 'gpt-4o-mini' });
    expect((await failedErrors([good('1'), other]))[0]).toMatchObject({ code: 'model_mismatch', line: 2 });
  });

  it('rejects an empty file', async () => {
    expect((await failedErrors('\n'))[0]).toMatchObject({ code: 'empty_file', line: null });
  });

  it('enforces the per-file request limit (lowered for the test)', async () => {
    emu.setLimits({ maxRequestsPerFile: 2 });
    expect((await failedErrors([good('1'), good('2'), good('3')]))[0]).toMatchObject({ code: 'too_many_tasks' });
    const ok = await waitForBatch(client, (await submitBatch(client, [good('1'), good('2')])).id);
    expect(ok.status).toBe('completed');
  });

  it('enforces the per-file size limit at upload (lowered for the test)', async () => {
    emu.setLimits({ maxFileBytes: 1000 });
    const big = toJsonl([good('1'), good('2')]);
    expect(Buffer.byteLength(big)).toBeGreaterThan(1000);
    await expect(client.files.create({ file: await toFile(Buffer.from(big), 'big.jsonl'), purpose: 'batch' })).rejects.toMatchObject({
      status: 400,
      code: 'file_too_large',
    });
  });
});

describe('request-time checks', () => {
  it('a non-strict-compatible schema makes that request a 400 line in the error file', async () => {
    const loose = profileRequestLine({
      customId: 'loose',
      username: 'x',
      bio: 'b',
      schema: { type: 'object', properties: { notes: { type: 'string' } }, required: ['notes'] },
    });
    const batch = await waitForBatch(client, (await submitBatch(client, [good('ok'), loose])).id);
    expect(batch).toMatchObject({ status: 'completed', request_counts: { total: 2, completed: 1, failed: 1 } });
    const [line] = await downloadJsonl(client, batch.error_file_id);
    expect(line).toMatchObject({ custom_id: 'loose', response: { status_code: 400, body: { error: { param: 'response_format' } } } });
    expect(line!.response!.body.error.message).toContain("'additionalProperties' is required to be supplied and to be false");
  });
});

describe('create parameters', () => {
  it('refuses non-.jsonl uploads for purpose batch', async () => {
    await expect(client.files.create({ file: await toFile(Buffer.from('{}'), 'in.txt'), purpose: 'batch' })).rejects.toBeInstanceOf(
      OpenAI.BadRequestError,
    );
  });

  it('refuses a bad window, an unknown file and an unsupported endpoint', async () => {
    const file = await client.files.create({ file: await toFile(Buffer.from(toJsonl([good('1')])), 'a.jsonl'), purpose: 'batch' });
    const create = (body: Record<string, unknown>) =>
      client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h', ...body } as never);
    await expect(create({ completion_window: '1h' })).rejects.toMatchObject({ status: 400, param: 'completion_window' });
    await expect(create({ input_file_id: 'file-nope' })).rejects.toMatchObject({ status: 400, param: 'input_file_id' });
    await expect(create({ endpoint: '/v1/responses' })).rejects.toMatchObject({ status: 400, param: 'endpoint' });
    await expect(client.batches.retrieve('batch_nope')).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });
});
