import { describe, expect, it } from 'vitest';
import { insightsResponseFormat } from '../../src/ai/insights.js';
import { promptHash, requestBody, requestLine, type LineOptions } from '../../src/ai/jsonl.js';
import { DEFAULT_AI_PRICES, priceOf } from '../../src/ai/prices.js';
import type { BlogProfile } from '../../src/ai/profiles.js';
import { imageSizeFromUrl, imageTokens, requestTokens } from '../../src/ai/tokens.js';
import { configSchema } from '../../src/config.js';

/** What a request line asks (issue 22): the cheap parameters, and the hash that lets an unchanged creator be skipped. */

const CATEGORIES = ['beauty', 'food'];
const signed = (path: string, signature: string) =>
  `https://scontent-ams2-1.cdninstagram.com/v/${path}&_nc_ht=x&oh=00_${signature}&oe=6A0B1C2D`;

function profile(overrides: { caption?: string; signature?: string; followers?: number } = {}): BlogProfile {
  const signature = overrides.signature ?? 'aaaa';
  return {
    blog: {
      id: 7,
      username: 'aru.beauty',
      full_name: 'Aru',
      biography: 'Макияж 💄 Алматы',
      avatar_url: signed(`t51.2885-19/s150x150/7_n.jpg?stp=dst-jpg_s150x150`, signature),
      follower_count: overrides.followers ?? 12_000,
      following_count: 300,
      media_count: 40,
      is_verified: false,
      is_business: true,
      business_category: null,
      external_url: null,
      er: 3.2,
      er_reels: null,
      er_trend: 'stable',
      posts_per_week: 2,
    },
    posts: [0, 1].map((i) => ({
      caption_text: i === 0 ? (overrides.caption ?? 'Мой макияж #beauty') : 'Обзор',
      hashtags: ['beauty'],
      mentions: [],
      like_count: 300,
      comment_count: 20,
      play_count: null,
      product_type: 'feed',
      thumbnail_url: signed(`t51.2885-15/${i}_n.jpg?stp=dst-jpg_e35_s320x400`, signature),
      taken_at: new Date('2026-11-0' + (i + 1)),
      is_pinned: false,
      location_name: null,
      raw: {},
    })),
    highlights: [],
  } as unknown as BlogProfile;
}

const options = (overrides: Partial<LineOptions> = {}): LineOptions => ({
  model: 'gpt-5-nano',
  categories: CATEGORIES,
  responseFormat: insightsResponseFormat(CATEGORIES),
  maxImages: 10,
  imageSize: { width: 320, height: 400 },
  reasoningEffort: 'minimal',
  maxCompletionTokens: 4_000,
  ...overrides,
});

describe('request body', () => {
  it('sends reasoning_effort to reasoning models only, and max_completion_tokens to every model', () => {
    expect(requestBody(profile(), options())).toMatchObject({
      model: 'gpt-5-nano',
      reasoning_effort: 'minimal',
      max_completion_tokens: 4_000,
    });
    expect(requestBody(profile(), options({ model: 'o4-mini', reasoningEffort: 'low' }))).toMatchObject({ reasoning_effort: 'low' });
    for (const model of ['gpt-4o-mini', 'gpt-4o', 'gpt-4.1-mini', 'gpt-5-chat-latest']) {
      const body = requestBody(profile(), options({ model }));
      expect(body).not.toHaveProperty('reasoning_effort');
      expect(body.max_completion_tokens).toBe(4_000);
    }
    const unset = requestBody(profile(), options({ reasoningEffort: 'default', maxCompletionTokens: null }));
    expect(unset).not.toHaveProperty('reasoning_effort');
    expect(unset).not.toHaveProperty('max_completion_tokens');
  });
});

describe('prompt hash', () => {
  const hash = (p: BlogProfile, o: Partial<LineOptions> = {}) => requestLine(p, 1, options(o)).promptHash;

  it('is the same for a rescrape that changed only the links’ signatures, the effort or the cap', () => {
    expect(hash(profile({ signature: 'bbbb' }))).toBe(hash(profile()));
    expect(hash(profile(), { reasoningEffort: 'low', maxCompletionTokens: 8_000 })).toBe(hash(profile()));
  });

  it('changes with the text, the counts, the model and the categories offered', () => {
    const base = hash(profile());
    expect(hash(profile({ caption: 'Новый пост' }))).not.toBe(base);
    expect(hash(profile({ followers: 12_001 }))).not.toBe(base);
    expect(hash(profile(), { model: 'gpt-5-mini' })).not.toBe(base);
    expect(
      hash(profile(), { categories: [...CATEGORIES, 'travel'], responseFormat: insightsResponseFormat([...CATEGORIES, 'travel']) }),
    ).not.toBe(base);
    const body = requestBody(profile(), options());
    expect(promptHash({ ...body, messages: body.messages.slice(0, 1) })).not.toBe(base);
  });
});

describe('token accounting', () => {
  it('counts an image at the size its Instagram link names, else at the configured size', () => {
    expect(imageSizeFromUrl('https://x/v/t51.2885-15/1_n.jpg?stp=dst-jpg_e35_s320x400&oe=1')).toEqual({ width: 320, height: 400 });
    expect(imageSizeFromUrl('https://x/v/t51.2885-19/s150x150/2_n.jpg')).toEqual({ width: 150, height: 150 });
    expect(imageSizeFromUrl('https://x/v/3_n.jpg?stp=dst-jpg_e35_p640x640_sh0.08_tt6')).toEqual({ width: 640, height: 640 });
    expect(imageSizeFromUrl('https://cdn.example.com/avatar.jpg')).toBeNull();
    const body = requestBody(profile(), options());
    const images = imageTokens('gpt-5-nano', 150, 150) + 2 * imageTokens('gpt-5-nano', 320, 400);
    const withoutImages = requestTokens(
      { ...body, messages: [body.messages[0]!, { role: 'user', content: [(body.messages[1]!.content as any)[0]] }] },
      { width: 1, height: 1 },
    );
    expect(requestTokens(body, { width: 1080, height: 1350 })).toBe(withoutImages + images);
  });
});

describe('settings', () => {
  it('defaults: minimal effort, 4,000 completion tokens, 320 × 400 fallback size, the price table', () => {
    const config = configSchema.parse({});
    expect(config).toMatchObject({
      AI_REASONING_EFFORT: 'minimal',
      AI_MAX_COMPLETION_TOKENS: 4_000,
      AI_IMAGE_WIDTH_PX: 320,
      AI_IMAGE_HEIGHT_PX: 400,
    });
    expect(config.AI_PRICES).toEqual(DEFAULT_AI_PRICES);
  });

  it('AI_PRICES is merged over the defaults; a bad one stops the start with a clear message', () => {
    const config = configSchema.parse({ AI_PRICES: '{"gpt-5-nano":{"input":0.05,"output":0.4},"my-model":{"input":1,"output":2}}' });
    expect(priceOf('gpt-5-nano-2025-08-07', config.AI_PRICES)).toEqual({ input: 0.05, output: 0.4 });
    expect(priceOf('my-model', config.AI_PRICES)).toEqual({ input: 1, output: 2 });
    expect(priceOf('gpt-4o-mini', config.AI_PRICES)).toEqual(DEFAULT_AI_PRICES['gpt-4o-mini']);
    expect(priceOf('claude', config.AI_PRICES)).toBeNull();
    for (const bad of ['not json', '{"gpt-5-nano":{"input":-1,"output":1}}', '{"gpt-5-nano":{"input":1}}']) {
      const parsed = configSchema.safeParse({ AI_PRICES: bad });
      expect(parsed.success).toBe(false);
      expect(parsed.error!.issues[0]!.message).toMatch(/JSON \{"model"/);
    }
    expect(configSchema.safeParse({ AI_REASONING_EFFORT: 'extreme' }).success).toBe(false);
  });
});
