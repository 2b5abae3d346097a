import { z } from 'zod';

/**
 * AIInsights (SPEC §7), defined once. The same definition gives the strict JSON schema sent as `response_format`
 * and validates what comes back, so the two can never drift apart. Booleans and most enums are nullable: the model
 * says "unknown" instead of guessing.
 */

const LEVELS = ['budget', 'middle', 'premium', 'luxury'] as const;
export const CONTENT_LANGUAGES = ['ru', 'kk', 'en', 'uz', 'ky', 'other'] as const;
export const SCHEMA_NAME = 'ai_insights';

const maybe = z.boolean().nullable();
const level = z.enum(LEVELS).nullable();

/** `categories` become the enum of primary_topic / secondary_topics; without any, free text is allowed. */
export function aiInsightsSchema(categories: readonly string[]) {
  const topic = categories.length > 0 ? z.enum(categories as [string, ...string[]]) : z.string().min(1);
  return z.strictObject({
    life_situation: z.strictObject({
      has_children: maybe,
      children_age_group: z.enum(['baby', 'toddler', 'school', 'teen']).nullable(),
      relationship_status: z.enum(['married', 'in_relationship', 'single']).nullable(),
      is_young_parent: maybe,
    }),
    lifestyle: z.strictObject({
      has_car: maybe,
      car_class: level,
      travels_frequently: maybe,
      travel_style: level,
      has_pets: maybe,
      pet_types: z.array(z.string()),
      has_real_estate: maybe,
      lifestyle_level: level,
    }),
    content: z.strictObject({
      primary_topic: topic,
      secondary_topics: z.array(topic).max(5),
      content_language: z.array(z.enum(CONTENT_LANGUAGES)),
      content_tone: z.enum(['positive', 'neutral', 'educational', 'humor', 'inspirational']),
      posts_in_russian: maybe,
      posts_in_kazakh: maybe,
    }),
    commercial: z.strictObject({
      has_brand_collaborations: maybe,
      detected_brand_categories: z.array(z.string()),
      has_affiliate_links: maybe,
      ad_frequency: z.enum(['rare', 'moderate', 'frequent']).nullable(),
    }),
    audience_inference: z.strictObject({
      estimated_audience_gender: z.enum(['mostly_female', 'mostly_male', 'mixed']).nullable(),
      estimated_audience_age: z.enum(['18-24', '25-34', '35-44', 'mixed']).nullable(),
      estimated_audience_geo: z.enum(['kz', 'ru', 'uz', 'cis_mixed']).nullable(),
      geo_mentions: z.array(z.string()),
    }),
    /**
     * Posts the model judges to be undisclosed brand deals (a discount code, "link in bio" with a brand @mention,
     * "partnered with"), named by the [code] the prompt puts before each post; Instagram's label and ad hashtags
     * already mark theirs. The application marks these sponsored with the signal 'ai' (ai-sponsored.ts).
     */
    sponsored_posts: z.array(z.strictObject({ post: z.string().min(1), reason: z.string() })),
    confidence: z.number().min(0).max(1),
    notes: z.string().nullable(),
  });
}

export type AIInsights = z.infer<ReturnType<typeof aiInsightsSchema>>;

type JsonSchema = Record<string, unknown>;

/** The `response_format` of a request: OpenAI strict structured output for the given category list. */
export function insightsResponseFormat(categories: readonly string[]) {
  return {
    type: 'json_schema' as const,
    json_schema: { name: SCHEMA_NAME, strict: true, schema: strictJsonSchema(aiInsightsSchema(categories)) },
  };
}

/**
 * zod's JSON Schema, shaped for OpenAI's strict mode: no `$schema`, nullable written as a type union
 * (`type: ['string', 'null']`, with null in the enum) rather than `anyOf`. strictObject already gives
 * `additionalProperties: false`, and every property is required because none is optional.
 */
export function strictJsonSchema(schema: z.ZodType): JsonSchema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema) as JsonSchema;
  return simplify(rest) as JsonSchema;
}

function simplify(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(simplify);
  if (!node || typeof node !== 'object') return node;
  const entries = Object.entries(node as JsonSchema).map(([key, value]) => [key, simplify(value)] as const);
  const out = Object.fromEntries(entries) as JsonSchema;
  return nullableUnion(out) ?? out;
}

/** `anyOf: [X, {type: 'null'}]` with a single-typed X → X with `null` added to its type (and enum). */
function nullableUnion(node: JsonSchema): JsonSchema | undefined {
  const branches = node.anyOf;
  if (!Array.isArray(branches) || branches.length !== 2) return undefined;
  const nullIndex = branches.findIndex((b) => (b as JsonSchema).type === 'null');
  const other = branches[1 - nullIndex] as JsonSchema | undefined;
  if (nullIndex < 0 || !other || typeof other.type !== 'string') return undefined;
  const { anyOf: _anyOf, ...rest } = node;
  const merged: JsonSchema = { ...rest, ...other, type: [other.type, 'null'] };
  if (Array.isArray(other.enum)) merged.enum = [...other.enum, null];
  return merged;
}

export type ParsedInsights = { ok: true; insights: AIInsights } | { ok: false; reason: string };

/** The model's message content → validated insights, or why not (unparseable JSON, or JSON that is not the schema). */
export function parseInsights(content: string | null | undefined, categories: readonly string[]): ParsedInsights {
  if (typeof content !== 'string' || content.trim() === '') return { ok: false, reason: 'empty answer' };
  let value: unknown;
  try {
    value = JSON.parse(content);
  } catch (error) {
    return { ok: false, reason: `answer is not JSON: ${(error as Error).message}`.slice(0, 300) };
  }
  const parsed = aiInsightsSchema(categories).safeParse(value);
  if (parsed.success) return { ok: true, insights: parsed.data };
  const issues = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  return { ok: false, reason: `answer does not match the AIInsights schema: ${issues.join('; ')}`.slice(0, 500) };
}
