import type { z } from '@hono/zod-openapi';
import type { Selectable } from 'kysely';
import type { ListState } from '../audience/mutuals.js';
import type { AudienceEdgesTable, AudienceQualityTable, BlogsTable } from '../db/schema.js';
import type { BlogDetail } from '../results/blog-detail.js';
import type { BlogRow } from '../results/blog-list.js';
import { contactEmails } from '../results/contacts.js';
import type {
  AudienceAccountSchema,
  AudienceQualitySchema,
  BlogDetailSchema,
  BlogSummarySchema,
  ListStateSchema,
} from './schemas-blogs.js';
import { iso } from '../util/iso.js';
import type { SponsorSignal } from '../scraping/sponsorship.js';

/** Rows of the results tables as the API shows them, field by field (the raw responses stay in the database). */

/** Credibility of the latest deep-tier estimate with its interval, or null (no estimate, or quick tier only). */
type Credibility = { credibility: number | null; credibility_low: number | null; credibility_high: number | null } | undefined;
const credibilityView = (q: Credibility) =>
  q && q.credibility !== null ? { value: q.credibility, low: q.credibility_low ?? 0, high: q.credibility_high ?? 1 } : null;

export function blogSummaryView(
  blog: Selectable<BlogsTable>,
  categories: string[],
  quality?: Credibility,
): z.infer<typeof BlogSummarySchema> {
  return {
    id: blog.id,
    username: blog.username,
    platform_id: blog.platform_id,
    full_name: blog.full_name,
    follower_count: blog.follower_count,
    following_count: blog.following_count,
    media_count: blog.media_count,
    er: blog.er,
    er_reels: blog.er_reels,
    er_trend: blog.er_trend,
    posts_per_week: blog.posts_per_week,
    er_posts_hidden: blog.er_posts_hidden,
    is_verified: blog.is_verified,
    is_business: blog.is_business,
    is_private: blog.is_private,
    business_category: blog.business_category,
    scrape_status: blog.scrape_status,
    source: blog.source,
    categories,
    ai_confidence: blog.ai_confidence,
    credibility: credibilityView(quality),
    scraped_at: iso(blog.scraped_at),
    created_at: iso(blog.created_at)!,
    updated_at: iso(blog.updated_at)!,
  };
}

export const blogRowView = (row: BlogRow) => blogSummaryView(row, row.categories, row);

export function blogDetailView(detail: BlogDetail): z.infer<typeof BlogDetailSchema> {
  const { blog } = detail;
  return {
    ...blogSummaryView(
      blog,
      detail.categories.map((c) => c.name),
      detail.audienceQuality,
    ),
    biography: blog.biography,
    contact_emails: contactEmails(blog),
    avatar_url: blog.avatar_url,
    external_url: blog.external_url,
    status_reason: blog.status_reason,
    person_id: blog.person_id,
    ai: { insights: blog.ai_insights, confidence: blog.ai_confidence, analyzed_at: iso(blog.ai_analyzed_at) },
    category_details: detail.categories,
    posts: detail.posts.map((p) => ({
      platform_id: p.platform_id,
      shortcode: p.shortcode,
      caption_text: p.caption_text,
      hashtags: p.hashtags,
      mentions: p.mentions,
      like_count: p.like_count,
      comment_count: p.comment_count,
      play_count: p.play_count,
      media_type: p.media_type,
      product_type: p.product_type,
      thumbnail_url: p.thumbnail_url,
      location: p.location_name || p.location_lat !== null ? { name: p.location_name, lat: p.location_lat, lng: p.location_lng } : null,
      taken_at: iso(p.taken_at),
      is_pinned: p.is_pinned,
      counts_hidden: p.counts_hidden,
      author_username: p.author_username,
      coauthors: p.coauthors,
      is_sponsored: p.is_sponsored,
      sponsor_signals: p.sponsor_signals as SponsorSignal[],
      brands: p.brands,
    })),
    sponsorship: detail.sponsorship,
    growth: detail.growth,
    highlights: detail.highlights.map((h) => ({
      platform_id: h.platform_id,
      title: h.title,
      media_count: h.media_count,
      cover_url: h.cover_url,
      story_mentions: h.story_mentions,
      story_locations: h.story_locations,
      story_links: h.story_links,
    })),
    history: detail.snapshots.map((s) => ({
      taken_at: iso(s.taken_at)!,
      follower_count: s.follower_count,
      following_count: s.following_count,
      media_count: s.media_count,
      er: s.er,
      er_reels: s.er_reels,
      er_trend: s.er_trend,
      posts_per_week: s.posts_per_week,
      posts_fetched: s.posts_fetched,
    })),
    audience: detail.audience.map(listStateView),
    audience_quality: detail.audienceQuality ? audienceQualityView(detail.audienceQuality) : null,
  };
}

export function audienceQualityView(q: Selectable<AudienceQualityTable>): z.infer<typeof AudienceQualitySchema> {
  return {
    tier: q.tier,
    credibility: q.credibility,
    credibility_low: q.credibility_low,
    credibility_high: q.credibility_high,
    sample_size: q.sample_size,
    deep_sample_size: q.deep_sample_size,
    requests: q.requests,
    components: q.components as z.infer<typeof AudienceQualitySchema>['components'],
    computed_at: iso(q.computed_at)!,
  };
}

export function listStateView(list: ListState): z.infer<typeof ListStateSchema> {
  return {
    kind: list.kind,
    status: list.status,
    task_id: list.task_id,
    fetched: list.fetched,
    expected: list.expected,
    complete: list.complete,
    started_at: iso(list.started_at)!,
    completed_at: iso(list.completed_at),
  };
}

export function audienceAccountView(edge: Selectable<AudienceEdgesTable>): z.infer<typeof AudienceAccountSchema> {
  return {
    platform_id: edge.platform_id,
    username: edge.username,
    full_name: edge.full_name,
    is_private: edge.is_private,
    is_verified: edge.is_verified,
    avatar_url: edge.avatar_url,
  };
}
