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

describe('strict-mode checks of response_format', () => {
  it('accepts the zod-generated schema and rejects what OpenAI rejects', () => {
    const format = (schema: unknown, name = 'ai_insights') => ({ type: 'json_schema', json_schema: { name, strict: true, schema } });
    expect(checkResponseFormat(format(sampleInsightsSchema()))).toBeNull();
    expect(checkResponseFormat(format({ type: 'array', items: {} }))).toContain('must be a JSON Schema of \'type: "object"\'');
    expect(
      checkResponseFormat(format({ type: 'object', additionalProperties: false, properties: { a: { type: 'string' } }, required: [] })),
    ).toContain("Missing 'a'");
    expect(checkResponseFormat(format({ type: 'object' }, 'bad name!'))).toContain('json_schema.name');
    expect(checkResponseFormat({ type: 'json_object' })).toBeNull();
  });
});
