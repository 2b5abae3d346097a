import type { Selectable } from 'kysely';
import type { AudienceEdgesTable } from '../db/schema.js';
import { iso } from '../util/iso.js';
import type { BlogRow } from './blog-list.js';
import { contactEmails } from './contacts.js';

/**
 * The columns of the exports, in order: the one place to add a column (CSV header and NDJSON key alike).
 * Everything a planner filters on: metrics, categories, AI summary, contacts, source, last scraped.
 */
export interface ExportColumn<Row> {
  name: string;
  value: (row: Row) => string | number | boolean | null;
}

type Insights = {
  content?: { primary_topic?: string; content_language?: string[] };
  commercial?: { has_brand_collaborations?: boolean | null; ad_frequency?: string | null };
  audience_inference?: {
    estimated_audience_gender?: string | null;
    estimated_audience_age?: string | null;
    estimated_audience_geo?: string | null;
  };
  notes?: string | null;
};
/** Credibility is stored as a 4-byte real: four decimals are all it holds (0.8734, not 0.8734123706817627). */
const round4 = (value: number | null) => (value === null ? null : Math.round(value * 10_000) / 10_000);
const insights = (row: BlogRow) => (row.ai_insights ?? {}) as Insights;

export const BLOG_EXPORT_COLUMNS: ExportColumn<BlogRow>[] = [
  { name: 'username', value: (r) => r.username },
  { name: 'profile_url', value: (r) => `https://www.instagram.com/${r.username}/` },
  { name: 'full_name', value: (r) => r.full_name },
  { name: 'follower_count', value: (r) => r.follower_count },
  { name: 'following_count', value: (r) => r.following_count },
  { name: 'media_count', value: (r) => r.media_count },
  { name: 'er', value: (r) => r.er },
  { name: 'er_reels', value: (r) => r.er_reels },
  { name: 'er_trend', value: (r) => r.er_trend },
  { name: 'er_posts_hidden', value: (r) => r.er_posts_hidden },
  { name: 'posts_per_week', value: (r) => r.posts_per_week },
  { name: 'is_verified', value: (r) => r.is_verified },
  { name: 'is_business', value: (r) => r.is_business },
  { name: 'is_private', value: (r) => r.is_private },
  { name: 'business_category', value: (r) => r.business_category },
  { name: 'credibility', value: (r) => round4(r.credibility) },
  { name: 'credibility_low', value: (r) => round4(r.credibility_low) },
  { name: 'credibility_high', value: (r) => round4(r.credibility_high) },
  { name: 'credibility_sample', value: (r) => (r.credibility === null ? null : r.credibility_sample) },
  { name: 'categories', value: (r) => r.categories.join('; ') },
  { name: 'ai_primary_topic', value: (r) => insights(r).content?.primary_topic ?? null },
  { name: 'ai_languages', value: (r) => insights(r).content?.content_language?.join('; ') ?? null },
  { name: 'ai_brand_collaborations', value: (r) => insights(r).commercial?.has_brand_collaborations ?? null },
  { name: 'ai_ad_frequency', value: (r) => insights(r).commercial?.ad_frequency ?? null },
  { name: 'ai_audience_gender', value: (r) => insights(r).audience_inference?.estimated_audience_gender ?? null },
  { name: 'ai_audience_age', value: (r) => insights(r).audience_inference?.estimated_audience_age ?? null },
  { name: 'ai_audience_geo', value: (r) => insights(r).audience_inference?.estimated_audience_geo ?? null },
  { name: 'ai_notes', value: (r) => insights(r).notes ?? null },
  { name: 'ai_confidence', value: (r) => r.ai_confidence },
  { name: 'contact_emails', value: (r) => contactEmails(r).join('; ') || null },
  { name: 'external_url', value: (r) => r.external_url },
  { name: 'biography', value: (r) => r.biography },
  { name: 'source', value: (r) => r.source },
  { name: 'scrape_status', value: (r) => r.scrape_status },
  { name: 'scraped_at', value: (r) => iso(r.scraped_at) },
  { name: 'ai_analyzed_at', value: (r) => iso(r.ai_analyzed_at) },
];

export const AUDIENCE_EXPORT_COLUMNS: ExportColumn<Selectable<AudienceEdgesTable>>[] = [
  { name: 'username', value: (r) => r.username },
  { name: 'platform_id', value: (r) => r.platform_id },
  { name: 'full_name', value: (r) => r.full_name },
  { name: 'is_private', value: (r) => r.is_private },
  { name: 'is_verified', value: (r) => r.is_verified },
  { name: 'first_seen_at', value: (r) => iso(r.first_seen_at) },
  { name: 'last_seen_at', value: (r) => iso(r.last_seen_at) },
];
