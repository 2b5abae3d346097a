// The OpenAI emulator bills a request as OpenAI does (emulator/openai/README.md, "Usage and billing"): images by
// the model's rule and the size in the link, reasoning by effort, the answer cut at max_completion_tokens, and
// `usage` in OpenAI's shape on every output line.
import { decode, encode } from 'gpt-tokenizer/encoding/o200k_base';
import { describe, expect, it } from 'vitest';
import { completion, imageSizeOf, imageTokensFor, promptTokens, reasoningTokens } from '../../emulator/openai/billing.js';
import { IdMinter } from '../../emulator/openai/ids.js';
import { executeRequest } from '../../emulator/openai/responder.js';
import { sampleInsightsSchema } from '../../emulator/openai/testkit.js';
import type { BatchRequestLine, ChatRequestBody } from '../../emulator/openai/types.js';

describe('image tokens (vision guide, "Calculating costs")', () => {
  it('GPT-4o-class models at detail low: a fixed budget whatever the size (85; gpt-4o-mini 2,833; gpt-5 70)', () => {
    for (const [w, h] of [
      [150, 150],
      [320, 400],
      [1080, 1350],
      [4000, 3000],
    ] as const) {
      expect(imageTokensFor('gpt-4o', w, h)).toBe(85);
      expect(imageTokensFor('gpt-4o-2024-08-06', w, h)).toBe(85);
      expect(imageTokensFor('gpt-4o-mini', w, h)).toBe(2833);
      expect(imageTokensFor('gpt-5', w, h)).toBe(70);
    }
  });

  it("patch models: 32-px patches × the model's multiplier, scaled to ≤ 1,536 patches (the guide's examples)", () => {
    expect(imageTokensFor('gpt-5-mini', 1024, 1024)).toBe(Math.ceil(1024 * 1.62)); // 32 × 32 patches
    expect(imageTokensFor('gpt-5-mini', 1800, 2400)).toBe(Math.ceil(1452 * 1.62)); // scaled to 33 × 44
    expect(imageTokensFor('gpt-5-nano', 320, 400)).toBe(Math.ceil(10 * 13 * 2.46));
    expect(imageTokensFor('gpt-5-nano', 1080, 1350)).toBe(Math.ceil(34 * 43 * 2.46));
    expect(imageTokensFor('gpt-5-nano', 150, 150)).toBe(Math.ceil(5 * 5 * 2.46));
    expect(imageTokensFor('gpt-4.1-mini', 320, 400)).toBe(Math.ceil(130 * 1.62));
    expect(imageTokensFor('o4-mini', 320, 400)).toBe(Math.ceil(130 * 1.72));
  });

  it("reads the size from Instagram's link; an unsized link is billed as a full-size picture", () => {
    expect(imageSizeOf('https://scontent.cdninstagram.com/v/t51.2885-15/1_n.jpg?stp=dst-jpg_e35_s320x400&_nc_ht=x&oe=695A1B80')).toEqual({
      width: 320,
      height: 400,
    });
    expect(imageSizeOf('https://scontent.cdninstagram.com/v/t51.2885-19/s150x150/2_n.jpg?_nc_ht=x')).toEqual({ width: 150, height: 150 });
    expect(imageSizeOf('https://scontent.cdninstagram.com/v/t51.2885-15/3_n.jpg?stp=dst-jpg_e35_p640x640_sh0.08_tt6')).toEqual({
      width: 640,
      height: 640,
    });
    expect(imageSizeOf('https://cdn.example.com/a.jpg')).toEqual({ width: 1080, height: 1350 });
  });
});

describe('reasoning and the completion cap', () => {
  it('reasoning models reason by effort (medium when unsaid); others never', () => {
    expect(reasoningTokens('gpt-5-nano', 'minimal', 's')).toBe(0);
    const medium = reasoningTokens('gpt-5-nano', undefined, 's');
    expect(medium).toBeGreaterThanOrEqual(1_536);
    expect(medium).toBeLessThanOrEqual(3_072);
    expect(reasoningTokens('gpt-5-nano', 'medium', 's')).toBe(medium);
    const low = reasoningTokens('gpt-5-mini', 'low', 's');
    expect(low).toBeGreaterThanOrEqual(256);
    expect(low).toBeLessThan(medium);
    expect(reasoningTokens('gpt-4o-mini', 'high', 's')).toBe(0);
  });

  it('reasoning counts against max_completion_tokens; what is left is the answer, cut with finish_reason length', () => {
    const answer = '{"topic": "beauty", "confidence": 0.8}';
    const n = encode(answer).length;
    expect(n).toBeGreaterThan(3);
    expect(completion(answer, 0, 100)).toMatchObject({ content: answer, cut: false, reasoningTokens: 0, completionTokens: n });
    expect(completion(answer, 100 - n, 100)).toMatchObject({ content: answer, cut: false, completionTokens: 100 });
    const cut = completion(answer, 100 - n + 2, 100);
    expect(cut).toMatchObject({
      cut: true,
      completionTokens: 100,
      reasoningTokens: 100 - n + 2,
      content: decode(encode(answer).slice(0, n - 2)),
    });
    expect(answer.startsWith(cut.content) && cut.content.length < answer.length).toBe(true);
    expect(completion(answer, 500, 100)).toMatchObject({ cut: true, completionTokens: 100, reasoningTokens: 100, content: '' });
  });
});

describe('a request line as the endpoint answers it', () => {
  const line = (body: Partial<ChatRequestBody>): BatchRequestLine => ({
    line: 1,
    custom_id: '42',
    method: 'POST',
    url: '/v1/chat/completions',
    body: {
      model: 'gpt-5-nano',
      messages: [
        { role: 'system', content: 'You are an analyst of Instagram creators.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'username: aru\nbio: Макияж и уход 💄 Алматы' },
            { type: 'image_url', image_url: { url: 'https://cdn/v/s150x150/a.jpg?x=1', detail: 'low' } },
            { type: 'image_url', image_url: { url: 'https://cdn/v/1_n.jpg?stp=dst-jpg_e35_s320x400&oe=1', detail: 'low' } },
          ],
        },
      ],
      response_format: { type: 'json_schema', json_schema: { name: 'ai_insights', strict: true, schema: sampleInsightsSchema() } },
      ...body,
    },
  });
  const run = (body: Partial<ChatRequestBody>) =>
    executeRequest(line(body), { seed: 1, batchId: 'batch_1', ids: new IdMinter(1), createdSec: 1_767_225_600, fault: null });

  it("bills prompt tokens by the tokenizer and the images' rule, and reports usage in OpenAI's shape", () => {
    const executed = run({ reasoning_effort: 'minimal', max_completion_tokens: 4_000 });
    const body = executed.line.response!.body as any;
    const bill = promptTokens(line({}).body);
    expect(bill.images).toBe(Math.ceil(25 * 2.46) + Math.ceil(130 * 2.46));
    expect(body.usage).toEqual({
      prompt_tokens: bill.total,
      completion_tokens: executed.completionTokens,
      total_tokens: bill.total + executed.completionTokens,
      prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
    });
    expect(body.choices[0].finish_reason).toBe('stop');
    expect(JSON.parse(body.choices[0].message.content)).toHaveProperty('confidence');
  });

  it('without reasoning_effort gpt-5-nano reasons at medium; a small cap leaves no answer (finish_reason length)', () => {
    const medium = run({});
    expect((medium.line.response!.body as any).usage.completion_tokens_details.reasoning_tokens).toBeGreaterThanOrEqual(1_536);
    const capped = run({ max_completion_tokens: 1_000 }).line.response!.body as any;
    expect(capped.usage.completion_tokens).toBe(1_000);
    expect(capped.choices[0]).toMatchObject({ finish_reason: 'length', message: { content: '' } });
  });

  it('reasoning_effort on a model that does not reason is refused as OpenAI does (400 unsupported_parameter)', () => {
    const refused = run({ model: 'gpt-4o-mini', reasoning_effort: 'minimal' });
    expect(refused.file).toBe('error');
    expect(refused.line.response).toMatchObject({
      status_code: 400,
      body: { error: { code: 'unsupported_parameter', param: 'reasoning_effort' } },
    });
    expect(run({ reasoning_effort: 'extreme' }).line.response).toMatchObject({
      status_code: 400,
      body: { error: { code: 'unsupported_value' } },
    });
    const fourOMini = run({ model: 'gpt-4o-mini' }).line.response!.body as any;
    expect(fourOMini.usage.completion_tokens_details.reasoning_tokens).toBe(0);
    expect(fourOMini.usage.prompt_tokens).toBe(promptTokens({ ...line({}).body, model: 'gpt-4o-mini' }).total);
  });
});
