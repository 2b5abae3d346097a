// The pieces behind the fake model's answers: reading the prompt (username,
// images, languages, places), scoring topics, and filling arbitrary
// structured-output schemas with valid, deterministic values.
import { zodResponseFormat } from 'openai/helpers/zod';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildStructuredAnswer } from '../../emulator/openai/insights.js';
import { analyzePrompt, detectLanguages, findUsername } from '../../emulator/openai/prompt.js';
import { checkResponseFormat } from '../../emulator/openai/schema.js';
import { matchesSchema } from '../../emulator/openai/schema-check.js';
import { rankTopics } from '../../emulator/openai/topics.js';
import { insightsResponseFormat } from '../../src/ai/insights.js';
import { sampleInsights, sampleInsightsSchema } from '../../emulator/openai/testkit.js';
import type { JsonSchema } from '../../emulator/openai/types.js';

describe('prompt reading', () => {
  it('finds the username from a label, else the first @mention', () => {
    expect(findUsername('username: @dana.fit\nbio: hi @other')).toBe('dana.fit');
    expect(findUsername('Profile of @kz_travel. Bio: …')).toBe('kz_travel');
    expect(findUsername('no handle here')).toBeNull();
  });

  it('counts images only in user messages and reads text parts', () => {
    const facts = analyzePrompt([
      { role: 'system', content: 'You are an analyst…' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'username: aru\nbio: Сәлем! Алматы' },
          { type: 'image_url', image_url: { url: 'https://x/1.jpg', detail: 'low' } },
          { type: 'image_url', image_url: { url: 'https://x/2.jpg', detail: 'low' } },
        ],
      },
    ]);
    expect(facts).toMatchObject({
      username: 'aru',
      imageCount: 2,
      languages: ['kazakh'],
      geoMentions: [{ name: 'Almaty', country: 'kz' }],
    });
    expect(facts.systemText).toBe('You are an analyst…');
  });

  it.each([
    ['Қазақ тілінде жазамын\nБүгін ауа райы жақсы', ['kazakh']],
    ['Привет, сегодня готовлю борщ\nЗавтра в спортзал', ['russian']],
    ['Hello from the mountains today\nAnother sunny morning walk', ['english']],
    ['Сегодня был хороший день\nБүгін керемет күн болды\nОтличный вечер с друзьями', ['russian', 'kazakh']],
    ['followers: 1200, following: 30, posts: 12\nusername: some_user', []],
  ])('detects languages of %j', (text, expected) => {
    expect(detectLanguages(text)).toEqual(expected);
  });

  it('ranks topics by evidence in several languages', () => {
    expect(rankTopics('Мой новый макияж и уход за кожей, beauty routine', ['travel', 'beauty', 'food'])).toEqual(['beauty']);
    expect(rankTopics('Рецепт плова и путешествие в Ташкент, рецепт лагмана', ['travel', 'food'])).toEqual(['food', 'travel']);
    expect(rankTopics('nothing relevant', ['travel', 'food'])).toEqual([]);
  });
});

describe('structured answers', () => {
  const facts = analyzePrompt([{ role: 'user', content: 'username: mama_aru\nbio: Мама двоих детей, Астана, рецепты' }]);

  it('fills the AIInsights schema validly and deterministically', () => {
    const schema = sampleInsightsSchema();
    const validator = z.fromJSONSchema(schema as never);
    const a = buildStructuredAnswer(schema, facts, 's1');
    expect(validator.safeParse(a).success).toBe(true);
    expect(JSON.stringify(buildStructuredAnswer(schema, facts, 's1'))).toBe(JSON.stringify(a));
    expect(a).toMatchObject({ content: { primary_topic: 'parenting', secondary_topics: ['food'] } });
  });

  it("accepts the SDK's zodResponseFormat output and answers it validly", () => {
    const format = zodResponseFormat(sampleInsights(), 'ai_insights');
    expect(checkResponseFormat(format)).toBeNull();
    expect(sampleInsights().safeParse(buildStructuredAnswer(format.json_schema.schema as JsonSchema, facts, 'z')).success).toBe(true);
  });

  it('handles $ref/$defs, anyOf, integer ranges, minItems/maxItems and string limits', () => {
    const schema: JsonSchema = {
      type: 'object',
      additionalProperties: false,
      required: ['items', 'score', 'label', 'maybe', 'ref'],
      properties: {
        items: { type: 'array', items: { type: 'string', enum: ['x', 'y', 'z'] }, minItems: 2, maxItems: 2 },
        score: { type: 'integer', minimum: 3, maximum: 5 },
        label: { type: 'string', minLength: 3, maxLength: 5 },
        maybe: { anyOf: [{ $ref: '#/$defs/point' }, { type: 'null' }] },
        ref: { $ref: '#/$defs/point' },
      },
      $defs: {
        point: {
          type: 'object',
          additionalProperties: false,
          required: ['x'],
          properties: { x: { type: 'number', exclusiveMinimum: 0, maximum: 1 } },
        },
      },
    };
    for (const seed of ['a', 'b', 'c', 'd', 'e', 'f']) {
      expect(matchesSchema(buildStructuredAnswer(schema, facts, seed), schema, schema)).toBe(true);
    }
  });

  it('uses the schema enum for languages and the category list for topics', () => {
    const schema: JsonSchema = {
      type: 'object',
      additionalProperties: false,
      required: ['content_language', 'primary_topic'],
      properties: {
        content_language: { type: 'array', items: { type: 'string', enum: ['ru', 'kk', 'en'] } },
        primary_topic: { type: 'string', enum: ['Семья и дети', 'Путешествия'] },
      },
    };
    expect(buildStructuredAnswer(schema, facts, 's')).toEqual({ content_language: ['ru'], primary_topic: 'Семья и дети' });
  });
});

describe('sponsored_posts: the posts whose caption reads like an undisclosed brand deal', () => {
  const prompt = [
    'username: dana_style',
    'posts (newest first):',
    '- [DEAL1] 2026-11-20, ER 2.10%, 210 likes, 4 comments: Осенний образ 🍂 промокод ZARA15 на скидку 15% в @zara_kz',
    '- [DEAL2] 2026-11-18, ER 1.90%, 190 likes, 2 comments: New look today link in bio 👆 @nike_kz',
    '- [DEAL3] 2026-11-16, ER 1.80%, 180 likes, 2 comments: partnered with @kaspi_kz ✨ #almaty',
    '- [TAGGED] 2026-11-15, ER 2.00%, 200 likes, 3 comments: use code NIKE15 for 15% off #ad @nike_kz',
    '- [LABEL] 2026-11-14, ER 2.00%, 200 likes, 3 comments, paid partnership: partnered with @zara_kz',
    '- [BIO] 2026-11-12, ER 1.00%, 100 likes, 1 comments: new video, link in bio',
    '- [ORGANIC] 2026-11-10, ER 1.50%, 150 likes, 2 comments: Out with @aruzhan today: coffee 💛 #coffee',
  ].join('\n');
  const schema = sampleInsightsSchema();

  it('lists exactly the undisclosed deals (discount code, link in bio with a brand, partnered with), each with a reason', () => {
    const answer = buildStructuredAnswer(schema, analyzePrompt([{ role: 'user', content: prompt }]), 's') as {
      sponsored_posts: { post: string; reason: string }[];
    };
    expect(answer.sponsored_posts.map((p) => p.post)).toEqual(['DEAL1', 'DEAL2', 'DEAL3']);
    expect(answer.sponsored_posts.every((p) => p.reason.length > 0)).toBe(true);
    expect(sampleInsights().safeParse(answer).success).toBe(true);
  });

  it('lists none when no post reads like a deal', () => {
    const organic = analyzePrompt([
      { role: 'user', content: 'username: a\nposts (newest first):\n- [X1] 2026-11-01, ER 1%: hello @friend' },
    ]);
    expect(buildStructuredAnswer(schema, organic, 's')).toMatchObject({ sponsored_posts: [] });
  });
});

describe('strict-mode checks of response_format', () => {
  it('accepts the zod-generated schema and rejects what OpenAI rejects', () => {
    const format = (schema: unknown, name = 'ai_insights') => ({ type: 'json_schema', json_schema: { name, strict: true, schema } });
    expect(checkResponseFormat(format(sampleInsightsSchema()))).toBeNull();
    // The daemon's own response_format (with sponsored_posts) passes OpenAI's strict-mode rules.
    expect(checkResponseFormat(insightsResponseFormat(['beauty', 'travel']))).toBeNull();
    expect(checkResponseFormat(format({ type: 'array', items: {} }))).toContain('must be a JSON Schema of \'type: "object"\'');
    expect(
      checkResponseFormat(format({ type: 'object', additionalProperties: false, properties: { a: { type: 'string' } }, required: [] })),
    ).toContain("Missing 'a'");
    expect(checkResponseFormat(format({ type: 'object' }, 'bad name!'))).toContain('json_schema.name');
    expect(checkResponseFormat({ type: 'json_object' })).toBeNull();
  });
});
