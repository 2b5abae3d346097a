// Helpers for tests that drive the emulator: an AIInsights schema shaped like
// SPEC §7 (built with zod, as the daemon does), request-line builders and a
// condition poller. Not used by the emulator itself.
import OpenAI, { toFile } from 'openai';
import type { Batch } from 'openai/resources/batches';
import { z } from 'zod';
import type { JsonSchema } from './types.js';

export const SAMPLE_CATEGORIES = ['beauty', 'fashion', 'parenting', 'travel', 'food', 'fitness', 'auto', 'tech', 'lifestyle', 'humor'];

/** An AIInsights definition following SPEC §7 (booleans nullable = unknown). */
export function sampleInsights(categories: string[] = SAMPLE_CATEGORIES) {
  const topic = z.enum(categories as [string, ...string[]]);
  const level = z.enum(['budget', 'middle', 'premium', 'luxury']);
  return z.strictObject({
    life_situation: z.strictObject({
      has_children: z.boolean().nullable(),
      children_age_group: z.enum(['baby', 'toddler', 'school', 'teen']).nullable(),
      relationship_status: z.enum(['married', 'in_relationship', 'single']).nullable(),
      is_young_parent: z.boolean().nullable(),
    }),
    lifestyle: z.strictObject({
      has_car: z.boolean().nullable(),
      car_class: level.nullable(),
      travels_frequently: z.boolean().nullable(),
      travel_style: level.nullable(),
      has_pets: z.boolean().nullable(),
      pet_types: z.array(z.string()),
      has_real_estate: z.boolean().nullable(),
      lifestyle_level: level.nullable(),
    }),
    content: z.strictObject({
      primary_topic: topic,
      secondary_topics: z.array(topic),
      content_language: z.array(z.string()),
      content_tone: z.enum(['positive', 'neutral', 'educational', 'humor', 'inspirational']),
      posts_in_russian: z.boolean().nullable(),
      posts_in_kazakh: z.boolean().nullable(),
    }),
    commercial: z.strictObject({
      has_brand_collaborations: z.boolean().nullable(),
      detected_brand_categories: z.array(z.string()),
      has_affiliate_links: z.boolean().nullable(),
      ad_frequency: z.enum(['rare', 'moderate', 'frequent']).nullable(),
    }),
    audience_inference: z.strictObject({
      estimated_audience_gender: z.enum(['mostly_female', 'mostly_male', 'mixed']).nullable(),
      estimated_audience_age: z.enum(['18-24', '25-34', '35-44', 'mixed']).nullable(),
      estimated_audience_geo: z.enum(['kz', 'ru', 'uz', 'cis_mixed']).nullable(),
      geo_mentions: z.array(z.string()),
    }),
    sponsored_posts: z.array(z.strictObject({ post: z.string(), reason: z.string() })),
    confidence: z.number().min(0).max(1),
    notes: z.string(),
  });
}

export function sampleInsightsSchema(categories?: string[]): JsonSchema {
  return z.toJSONSchema(sampleInsights(categories)) as JsonSchema;
}

export interface ProfileInput {
  customId: string;
  username: string;
  bio: string;
  posts?: string[];
  images?: number;
  model?: string;
  schema?: JsonSchema;
}

/** A request line shaped like the daemon's: system prompt + multimodal user message + strict json_schema. */
export function profileRequestLine(p: ProfileInput): Record<string, unknown> {
  const text = [
    `username: ${p.username}`,
    `bio: ${p.bio}`,
    'followers: 12000, following: 300, posts: 240',
    'posts:',
    // The daemon's post lines: `- [code] facts: caption` (src/ai/prompt.ts).
    ...(p.posts ?? []).map((caption, i) => `- [post${i + 1}] ER 3.1%: ${caption}`),
  ].join('\n');
  const images = Array.from({ length: p.images ?? 0 }, (_, i) => ({
    type: 'image_url',
    image_url: { url: `https://cdn.example.com/${p.username}/${i}.jpg`, detail: 'low' },
  }));
  return {
    custom_id: p.customId,
    method: 'POST',
    url: '/v1/chat/completions',
    body: {
      model: p.model ?? 'gpt-5-nano',
      messages: [
        { role: 'system', content: 'You are an analyst of Instagram creators. Categories: beauty, travel, auto, food.' },
        { role: 'user', content: [{ type: 'text', text }, ...images] },
      ],
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'ai_insights', strict: true, schema: p.schema ?? sampleInsightsSchema() },
      },
    },
  };
}

export function toJsonl(lines: unknown[]): string {
  return lines.map((l) => JSON.stringify(l)).join('\n') + '\n';
}

/** Polls `probe` until `done` accepts its result (no fixed sleeps in tests). */
export async function waitFor<T>(
  probe: () => Promise<T> | T,
  done: (value: T) => boolean,
  { timeoutMs = 5_000, intervalMs = 10 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`waitFor: condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Uploads `lines` (objects, or raw JSONL text) as a batch input file and creates a batch on it. */
export async function submitBatch(
  client: OpenAI,
  lines: unknown[] | string,
  options: { filename?: string; metadata?: Record<string, string> } = {},
): Promise<Batch> {
  const jsonl = typeof lines === 'string' ? lines : toJsonl(lines);
  const file = await client.files.create({
    file: await toFile(Buffer.from(jsonl, 'utf8'), options.filename ?? 'in.jsonl'),
    purpose: 'batch',
  });
  return client.batches.create({
    input_file_id: file.id,
    endpoint: '/v1/chat/completions',
    completion_window: '24h',
    ...(options.metadata ? { metadata: options.metadata } : {}),
  });
}

const FINAL = ['completed', 'failed', 'expired', 'cancelled'];

/** Polls `batches.retrieve` until the batch reaches one of `statuses` (default: any final status). */
export function waitForBatch(client: OpenAI, id: string, statuses: string[] = FINAL, timeoutMs = 5_000): Promise<Batch> {
  return waitFor(
    () => client.batches.retrieve(id),
    (b) => statuses.includes(b.status),
    { timeoutMs },
  );
}

/** One line of an output or error file. */
export interface ResultLine {
  id: string;
  custom_id: string;
  response: { status_code: number; request_id: string; body: any } | null;
  error: { code: string; message: string } | null;
}

/** Downloads and parses a JSONL file through the SDK (empty list for a null id). */
export async function downloadJsonl(client: OpenAI, fileId: string | null | undefined): Promise<ResultLine[]> {
  if (!fileId) return [];
  const text = await (await client.files.content(fileId)).text();
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as ResultLine);
}
