import { describe, expect, it } from 'vitest';
import { encode } from 'gpt-tokenizer/encoding/o200k_base';
import { imageTokens, requestTokens } from '../../src/ai/tokens.js';

describe('image tokens by model family', () => {
  it('GPT-4o at detail low is a fixed 85 whatever the size; gpt-4o-mini a fixed 2,833', () => {
    expect(imageTokens('gpt-4o', 1080, 1350)).toBe(85);
    expect(imageTokens('gpt-4o-2024-08-06', 150, 150)).toBe(85);
    expect(imageTokens('gpt-4o-mini', 1080, 1350)).toBe(2833);
  });

  it("the GPT-5 mini/nano family bills 32-px patches times the model's multiplier (the vision guide's examples)", () => {
    // 1024 × 1024 → 32 × 32 = 1,024 patches.
    expect(imageTokens('gpt-5-mini', 1024, 1024)).toBe(Math.ceil(1024 * 1.62));
    // 1800 × 2400 → scaled down to 1,452 patches (guide's worked example).
    expect(imageTokens('gpt-5-nano', 1800, 2400)).toBe(Math.ceil(1452 * 2.46));
    // What the scraper sends today: 1080 × 1350 → 34 × 43 patches.
    expect(imageTokens('gpt-5-nano', 1080, 1350)).toBe(Math.ceil(34 * 43 * 2.46));
    // A 320-px version costs a fraction of that.
    expect(imageTokens('gpt-5-nano', 320, 400)).toBe(Math.ceil(10 * 13 * 2.46));
  });

  it('a model not in the table is counted at the dearest rule, never as free', () => {
    expect(imageTokens('some-future-model', 1080, 1350)).toBe(imageTokens('gpt-5-nano', 1080, 1350));
  });
});

describe('request tokens', () => {
  const body = (model: string, images: number) => ({
    model,
    messages: [
      { role: 'system', content: 'You are an analyst.' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'username: alina\nbio: Алматы, путешествия и еда / travel & food' },
          ...Array.from({ length: images }, () => ({ type: 'image_url', image_url: { url: 'https://x/y.jpg' } })),
        ],
      },
    ],
    response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object' } } },
  });

  it('text and schema by the o200k_base tokenizer (Cyrillic included), plus each image by the model', () => {
    const text =
      encode('system').length +
      encode('You are an analyst.').length +
      encode('user').length +
      encode('username: alina\nbio: Алматы, путешествия и еда / travel & food').length +
      encode(JSON.stringify(body('gpt-4o', 0).response_format)).length;
    const framing = 3 + 2 * 3;
    expect(requestTokens(body('gpt-4o', 0), { width: 1080, height: 1350 })).toBe(text + framing);
    expect(requestTokens(body('gpt-4o', 3), { width: 1080, height: 1350 })).toBe(text + framing + 3 * 85);
    expect(requestTokens(body('gpt-5-nano', 3), { width: 1080, height: 1350 })).toBe(
      text + framing + 3 * imageTokens('gpt-5-nano', 1080, 1350),
    );
  });
});
