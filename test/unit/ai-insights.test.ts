import { describe, expect, it } from 'vitest';
import { insightsResponseFormat, parseInsights } from '../../src/ai/insights.js';
import { splitLines, type RequestLine } from '../../src/ai/jsonl.js';
import type { BlogProfile } from '../../src/ai/profiles.js';
import { expiresBefore, imageUrls, profileText } from '../../src/ai/prompt.js';
import { classifyLine } from '../../src/ai/results.js';

const CATEGORIES = ['beauty', 'food', 'family & kids'];

/** Walks every object node of a JSON schema. */
function objects(node: any, found: any[] = []): any[] {
  if (node && typeof node === 'object') {
    if (node.type === 'object') found.push(node);
    for (const value of Object.values(node)) objects(value, found);
  }
  return found;
}

const valid = {
  life_situation: { has_children: null, children_age_group: null, relationship_status: 'married', is_young_parent: null },
  lifestyle: {
    has_car: true,
    car_class: 'premium',
    travels_frequently: null,
    travel_style: null,
    has_pets: false,
    pet_types: [],
    has_real_estate: null,
    lifestyle_level: 'middle',
  },
  content: {
    primary_topic: 'food',
    secondary_topics: ['family & kids'],
    content_language: ['ru', 'kk'],
    content_tone: 'positive',
    posts_in_russian: true,
    posts_in_kazakh: true,
  },
  commercial: { has_brand_collaborations: true, detected_brand_categories: ['cosmetics'], has_affiliate_links: null, ad_frequency: 'rare' },
  audience_inference: {
    estimated_audience_gender: 'mostly_female',
    estimated_audience_age: '25-34',
    estimated_audience_geo: 'kz',
    geo_mentions: ['Almaty'],
  },
  sponsored_posts: [{ post: 'C0dE1', reason: 'gives a discount code' }],
  confidence: 0.8,
  notes: null,
};

describe('AIInsights: one definition for the request schema and the validator', () => {
  it('is an OpenAI strict schema: every property required, no extra properties, nullable as type unions', () => {
    const format = insightsResponseFormat(CATEGORIES);
    expect(format).toMatchObject({ type: 'json_schema', json_schema: { name: 'ai_insights', strict: true } });
    const schema = format.json_schema.schema;
    expect(schema.$schema).toBeUndefined();
    expect(JSON.stringify(schema)).not.toContain('anyOf');
    for (const node of objects(schema)) {
      expect(node.additionalProperties).toBe(false);
      expect([...node.required].sort()).toEqual(Object.keys(node.properties).sort());
    }
    const content = (schema.properties as any).content.properties;
    expect(content.primary_topic.enum).toEqual(CATEGORIES);
    expect(content.secondary_topics.items.enum).toEqual(CATEGORIES);
    expect((schema.properties as any).life_situation.properties.has_children.type).toEqual(['boolean', 'null']);
    expect((schema.properties as any).life_situation.properties.children_age_group.enum).toContain(null);
    // The AI's sponsored posts: a list of strict {post, reason} objects, every field required.
    expect((schema.properties as any).sponsored_posts).toMatchObject({
      type: 'array',
      items: { type: 'object', additionalProperties: false, required: ['post', 'reason'] },
    });
  });

  it('validates answers: ok, not JSON, wrong shape, a topic outside the list', () => {
    expect(parseInsights(JSON.stringify(valid), CATEGORIES)).toMatchObject({ ok: true });
    expect(parseInsights('{"life_situation": {', CATEGORIES)).toMatchObject({ ok: false, reason: expect.stringMatching(/not JSON/) });
    const extra = { ...valid, extra: 1 };
    expect(parseInsights(JSON.stringify(extra), CATEGORIES)).toMatchObject({ ok: false, reason: expect.stringMatching(/schema/) });
    const wrongTopic = { ...valid, content: { ...valid.content, primary_topic: 'cars' } };
    expect(parseInsights(JSON.stringify(wrongTopic), CATEGORIES)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/primary_topic/),
    });
    expect(parseInsights(JSON.stringify({ ...valid, confidence: 1.5 }), CATEGORIES).ok).toBe(false);
    expect(parseInsights(null, CATEGORIES).ok).toBe(false);
  });
});

describe('result lines', () => {
  const line = (message: object, status = 200) =>
    JSON.stringify({
      id: 'r',
      custom_id: '7',
      response: {
        status_code: status,
        body: { choices: [{ message, finish_reason: 'stop' }], usage: { prompt_tokens: 100, completion_tokens: 20 } },
      },
      error: null,
    });

  it('classifies success, refusal, invalid, error and not-run lines', () => {
    expect(classifyLine(line({ content: JSON.stringify(valid), refusal: null }), CATEGORIES)).toMatchObject({
      kind: 'ok',
      customId: '7',
      usage: { input: 100, output: 20 },
    });
    expect(classifyLine(line({ content: null, refusal: 'no' }), CATEGORIES)).toMatchObject({ kind: 'refused', reason: 'no' });
    expect(classifyLine(line({ content: '{"a":', refusal: null }), CATEGORIES)).toMatchObject({ kind: 'invalid' });
    expect(
      classifyLine(JSON.stringify({ custom_id: '7', response: { status_code: 500, body: { error: { message: 'boom' } } } }), CATEGORIES),
    ).toMatchObject({ kind: 'error', reason: expect.stringMatching(/HTTP 500: boom/) });
    expect(
      classifyLine(JSON.stringify({ custom_id: '7', response: null, error: { code: 'batch_expired', message: 'late' } }), CATEGORIES),
    ).toMatchObject({ kind: 'missing' });
    expect(classifyLine('not json', CATEGORIES)).toBeNull();
  });
});

describe('splitting to per-file limits', () => {
  const lines = (sizes: number[]): RequestLine[] =>
    sizes.map((bytes, i) => ({ customId: String(i), taskId: i, blogId: i, json: '', bytes, tokens: bytes, promptHash: '' }));

  it('cuts by request count and by bytes, keeping order; an oversized line gets its own file', () => {
    expect(splitLines(lines([1, 1, 1, 1, 1]), { maxRequests: 2, maxBytes: 100 }).map((c) => c.length)).toEqual([2, 2, 1]);
    expect(splitLines(lines([40, 40, 40, 10]), { maxRequests: 100, maxBytes: 90 }).map((c) => c.map((l) => l.customId))).toEqual([
      ['0', '1'],
      ['2', '3'],
    ]);
    expect(splitLines(lines([10, 500, 10]), { maxRequests: 100, maxBytes: 100 }).map((c) => c.length)).toEqual([1, 1, 1]);
    expect(splitLines([], { maxRequests: 1, maxBytes: 1 })).toEqual([]);
  });
});

describe('images of a request', () => {
  // Instagram CDN links are signed: `oe` is their expiry in hex Unix seconds (0x69DC21ED = 2026-04-12T22:51:25Z).
  const link = (name: string, expiry?: number) =>
    `https://scontent-sin2-2.cdninstagram.com/v/t51.2885-19/${name}.jpg?stp=dst-jpg_s150x150${expiry === undefined ? '' : `&oe=${expiry.toString(16).toUpperCase()}`}&_nc_sid=1`;
  const at = (iso: string) => Math.floor(Date.parse(iso) / 1000);
  const profile = (avatar: string, thumbnails: string[]) =>
    ({
      blog: { avatar_url: avatar },
      posts: thumbnails.map((thumbnail_url) => ({ thumbnail_url })),
      highlights: [],
    }) as unknown as BlogProfile;

  it('leaves out links that expire before OpenAI may read them, keeps the rest in order', () => {
    const usableUntil = new Date('2026-11-22T12:00:00Z');
    const p = profile(link('avatar', at('2026-11-25T00:00:00Z')), [
      link('expired', at('2026-11-20T00:00:00Z')),
      link('expires-during-the-batch', at('2026-11-22T11:59:00Z')),
      link('lasts', at('2026-11-22T12:00:01Z')),
      link('unsigned'),
    ]);
    expect(imageUrls(p, 10, usableUntil).map((u) => /\/([\w-]+)\.jpg/.exec(u)![1])).toEqual(['avatar', 'lasts', 'unsigned']);
    expect(imageUrls(p, 10)).toHaveLength(5); // no deadline given: every link
    expect(imageUrls(p, 2, usableUntil)).toHaveLength(2); // the cap counts usable links
  });

  it('reads the expiry of a real link, and takes a malformed one as lasting', () => {
    const real =
      'https://scontent-sin2-2.cdninstagram.com/v/t51.2885-19/65160972_n.jpg?stp=dst-jpg_e0_s150x150_tt6&oe=69DC21ED&_nc_sid=7d3ac5';
    expect(expiresBefore(real, new Date('2026-04-12T22:51:26Z'))).toBe(true);
    expect(expiresBefore(real, new Date('2026-04-12T22:51:24Z'))).toBe(false);
    expect(expiresBefore('https://cdn.example/a.jpg?oe=not-hex', new Date())).toBe(false);
    expect(expiresBefore('not a url', new Date())).toBe(false);
  });
});

describe('the prompt of a post whose like count is hidden', () => {
  // Issue 13: a hidden count is stored as null; the prompt must not present it as 0 likes and a 0 % ER.
  it('says the likes are hidden and the ER unknown', () => {
    const post = {
      like_count: null,
      comment_count: 7,
      play_count: null,
      taken_at: new Date('2026-01-01T00:00:00Z'),
      is_pinned: false,
      product_type: 'feed',
      media_type: 1,
      caption_text: 'hi',
      hashtags: [],
      mentions: [],
      location_name: null,
      is_sponsored: false,
      brands: [],
      sponsor_signals: [],
      counts_hidden: true,
    };
    const profile = {
      blog: { username: 'anna', follower_count: 1000, biography: null },
      posts: [post],
      highlights: [],
    } as unknown as BlogProfile;
    const text = profileText(profile);
    expect(text).toContain('ER unknown');
    expect(text).toContain('hidden likes, 7 comments');
    expect(text).not.toContain('0 likes');
  });
});
