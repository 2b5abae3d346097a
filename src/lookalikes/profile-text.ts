import { createHash } from 'node:crypto';

/**
 * The AI profile text a blog is embedded from (README "Similar creators"): the analysis' topics, tone, languages,
 * brand categories, audience and notes, then the biography and the category names. What a planner means by "a
 * creator like this one" is its content and audience, not its name or size, so those stay out.
 */
export interface ProfileTextSource {
  biography: string | null;
  ai_insights: unknown;
  categories: readonly string[];
}

type Insights = {
  content?: { primary_topic?: string; secondary_topics?: string[]; content_tone?: string; content_language?: string[] };
  commercial?: { detected_brand_categories?: string[] };
  audience_inference?: {
    estimated_audience_gender?: string | null;
    estimated_audience_age?: string | null;
    estimated_audience_geo?: string | null;
  };
  notes?: string | null;
};

/** The text, or null for a blog without an AI analysis (it cannot be embedded yet). */
export function profileText(source: ProfileTextSource): string | null {
  if (!source.ai_insights || typeof source.ai_insights !== 'object') return null;
  const ai = source.ai_insights as Insights;
  const audience = ai.audience_inference ?? {};
  const parts = [
    ai.content?.primary_topic && `Topic: ${ai.content.primary_topic}.`,
    ai.content?.secondary_topics?.length && `Also: ${ai.content.secondary_topics.join(', ')}.`,
    ai.content?.content_tone && `Tone: ${ai.content.content_tone}.`,
    ai.content?.content_language?.length && `Languages: ${ai.content.content_language.join(', ')}.`,
    ai.commercial?.detected_brand_categories?.length && `Brands: ${ai.commercial.detected_brand_categories.join(', ')}.`,
    [audience.estimated_audience_gender, audience.estimated_audience_age, audience.estimated_audience_geo].some(Boolean) &&
      `Audience: ${[audience.estimated_audience_gender, audience.estimated_audience_age, audience.estimated_audience_geo].filter(Boolean).join(', ')}.`,
    ai.notes && `Notes: ${ai.notes}`,
    source.biography && `Bio: ${source.biography}`,
    source.categories.length > 0 && `Categories: ${source.categories.join(', ')}.`,
  ];
  const text = parts.filter((p): p is string => typeof p === 'string' && p !== '').join('\n');
  return text === '' ? null : text;
}

/** Which text (and model and size) an embedding was made from: a blog is embedded again when its text changes. */
export function textHash(text: string, model: string, dimensions: number): string {
  return createHash('sha256').update(`${model}\n${dimensions}\n${text}`).digest('hex').slice(0, 32);
}
