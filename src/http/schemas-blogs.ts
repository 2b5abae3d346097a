import { z } from '@hono/zod-openapi';
import type { BlogFilter } from '../results/blog-list.js';
import { paging, queryInt, Username, withoutControlCharacters } from './schemas.js';

/** Schemas of the results routes (/api/blogs…) and of POST /api/tasks/followers; they also generate /openapi.json. */

const SCRAPE_STATUSES = ['pending', 'scraping', 'analyzing', 'active', 'private', 'deleted', 'error'] as const;
const KINDS = ['followers', 'following'] as const;
export const MAX_FOLLOWERS_LIMIT = 1_000_000;

const count = (what: string) =>
  z.coerce
    .number({ error: `${what} must be a number` })
    .int(`${what} must be a whole number`)
    .min(0, `${what} must not be negative`)
    .max(Number.MAX_SAFE_INTEGER, `${what} is too large`)
    .openapi({ type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER });

export const UsernameParam = z.object({
  username: Username.openapi({ param: { name: 'username', in: 'path' }, type: 'string', example: 'natgeo' }),
});

export const FollowersBody = z
  .strictObject({
    username: Username,
    kind: z.enum(KINDS).default('followers').openapi({ description: 'followers: who follows the account; following: whom it follows' }),
    max: z
      .number({ error: 'max must be a number' })
      .int('max must be a whole number')
      .min(1, 'max must be at least 1')
      .max(MAX_FOLLOWERS_LIMIT, `max must be at most ${MAX_FOLLOWERS_LIMIT}`)
      .optional()
      .openapi({ description: 'Stop after this many accounts (default FOLLOWERS_MAX_DEFAULT)' }),
    priority: z.number().int().min(1).max(10).default(4),
  })
  .openapi('FollowersRequest');

export const BlogListQuery = z
  .strictObject({
    q: withoutControlCharacters(z.string().trim().min(1, 'give at least one character to search for').max(100)).optional().openapi({
      description: 'Text in the username, full name or biography (case-insensitive)',
    }),
    category: withoutControlCharacters(z.string().trim().min(1).max(100)).optional().openapi({ description: 'Category name (case-insensitive)' }),
    min_followers: count('min_followers').optional(),
    max_followers: count('max_followers').optional(),
    min_er: z.coerce.number({ error: 'min_er must be a number' }).min(0, 'min_er must not be negative').max(100_000).optional().openapi({
      type: 'number',
      description: 'Minimum engagement rate, in percent (e.g. 2.5)',
    }),
    scrape_status: z.enum(SCRAPE_STATUSES).optional(),
    source: z
      .string()
      .trim()
      .regex(/^[\p{L}\p{N}_:.-]{1,120}\*?$/u, 'is a source such as manual or discover:almatyfood, or a prefix ending in * (discover:*)')
      .optional(),
    sort: z.enum(['followers', 'er', 'scraped_at']).default('followers'),
    order: z.enum(['asc', 'desc']).default('desc'),
    ...paging({ max: 200, default: 50 }),
  })
  .refine((q) => q.min_followers === undefined || q.max_followers === undefined || q.min_followers <= q.max_followers, {
    path: ['max_followers'],
    error: 'must not be below min_followers',
  });

const Metrics = {
  follower_count: z.number().int().nullable(),
  following_count: z.number().int().nullable(),
  media_count: z.number().int().nullable(),
  er: z.number().nullable().openapi({ description: 'Median (likes + comments) / followers × 100 over recent non-pinned posts' }),
  er_reels: z.number().nullable(),
  er_trend: z.enum(['growing', 'stable', 'declining']).nullable(),
  posts_per_week: z.number().nullable(),
};

/** The validated query of GET /api/blogs (and the console's creators table) as the filter listBlogs takes. */
export const blogFilterOf = (q: z.infer<typeof BlogListQuery>): BlogFilter => ({
  q: q.q,
  category: q.category,
  minFollowers: q.min_followers,
  maxFollowers: q.max_followers,
  minEr: q.min_er,
  scrapeStatus: q.scrape_status,
  source: q.source,
  sort: q.sort,
  order: q.order,
  limit: q.limit,
  offset: q.offset,
});

export const BlogSummarySchema = z
  .object({
    id: z.number().int(),
    username: z.string(),
    platform_id: z.string().nullable(),
    full_name: z.string().nullable(),
    ...Metrics,
    is_verified: z.boolean().nullable(),
    is_business: z.boolean().nullable(),
    is_private: z.boolean().nullable(),
    business_category: z.string().nullable(),
    scrape_status: z.enum(SCRAPE_STATUSES),
    source: z.string(),
    categories: z.array(z.string()).openapi({ description: 'Category names, the primary one first' }),
    ai_confidence: z.number().nullable(),
    scraped_at: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('BlogSummary');

export const BlogListSchema = z
  .object({ items: z.array(BlogSummarySchema), limit: z.number().int(), offset: z.number().int(), has_more: z.boolean() })
  .openapi('BlogList');

export const BlogDetailQuery = z.strictObject({
  posts_limit: queryInt({ min: 0, max: 500, default: 50 }),
  history_limit: queryInt({ min: 0, max: 1000, default: 100 }),
});

const PostSchema = z.object({
  platform_id: z.string(),
  shortcode: z.string().nullable(),
  caption_text: z.string().nullable(),
  hashtags: z.array(z.string()),
  mentions: z.array(z.string()),
  like_count: z.number().int().nullable(),
  comment_count: z.number().int().nullable(),
  play_count: z.number().int().nullable(),
  media_type: z.number().int().nullable(),
  product_type: z.string().nullable(),
  thumbnail_url: z.string().nullable(),
  location: z.object({ name: z.string().nullable(), lat: z.number().nullable(), lng: z.number().nullable() }).nullable(),
  taken_at: z.string().nullable(),
  is_pinned: z.boolean(),
});

const HighlightSchema = z.object({
  platform_id: z.string(),
  title: z.string().nullable(),
  media_count: z.number().int().nullable(),
  cover_url: z.string().nullable(),
  story_mentions: z.array(z.string()),
  story_locations: z.array(z.string()),
  story_links: z.array(z.string()),
});

const SnapshotSchema = z.object({ taken_at: z.string(), ...Metrics, posts_fetched: z.number().int() });

export const ListStateSchema = z
  .object({
    kind: z.enum(KINDS),
    status: z.enum(['fetching', 'done']),
    task_id: z.number().int(),
    fetched: z.number().int(),
    expected: z.number().int().nullable(),
    complete: z.boolean().openapi({ description: 'The whole list was read (false: cut at max, or the user became unavailable)' }),
    started_at: z.string(),
    completed_at: z.string().nullable(),
  })
  .openapi('AudienceList');

export const BlogDetailSchema = BlogSummarySchema.extend({
  biography: z.string().nullable(),
  avatar_url: z.string().nullable(),
  external_url: z.string().nullable(),
  status_reason: z.string().nullable(),
  person_id: z.number().int().nullable(),
  ai: z.object({
    insights: z.record(z.string(), z.unknown()).nullable(),
    confidence: z.number().nullable(),
    analyzed_at: z.string().nullable(),
  }),
  category_details: z.array(z.object({ name: z.string(), is_primary: z.boolean() })),
  posts: z.array(PostSchema).openapi({ description: 'Pinned first, then newest first' }),
  highlights: z.array(HighlightSchema),
  history: z.array(SnapshotSchema).openapi({ description: 'One snapshot per successful scrape, newest first' }),
  audience: z.array(ListStateSchema).openapi({ description: 'Follower / following lists fetched for this blog' }),
}).openapi('BlogDetail');

export const MutualsQuery = z.strictObject({
  relation: z.enum(['mutual', 'followers_only', 'following_only']).default('mutual').openapi({
    description: 'mutual: follow each other; followers_only: follow the blog, not followed back; following_only: followed by the blog, no follow back',
  }),
  ...paging({ max: 1000, default: 100 }, MAX_FOLLOWERS_LIMIT),
});

export const AudienceAccountSchema = z.object({
  platform_id: z.string(),
  username: z.string(),
  full_name: z.string().nullable(),
  is_private: z.boolean().nullable(),
  is_verified: z.boolean().nullable(),
  avatar_url: z.string().nullable(),
});

export const MutualsSchema = z
  .object({
    username: z.string(),
    relation: z.enum(['mutual', 'followers_only', 'following_only']),
    followers: ListStateSchema,
    following: ListStateSchema,
    partial: z.boolean().openapi({ description: 'A list was cut at max: the answer covers only what was fetched' }),
    total: z.number().int(),
    items: z.array(AudienceAccountSchema),
    limit: z.number().int(),
    offset: z.number().int(),
    has_more: z.boolean(),
  })
  .openapi('Mutuals');
