import { z } from '@hono/zod-openapi';
import { TASK_KINDS } from '../queue/task.js';
import type { BlogFilter } from '../results/blog-list.js';
import { pageOf, paging, queryInt, Username, withoutControlCharacters } from './schemas.js';

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
    priority: z.number().int().min(1).max(10).default(TASK_KINDS.followers.priorities.manual),
  })
  .openapi('FollowersRequest');

/** The filters of GET /api/blogs, shared by its export. */
const blogFilterFields = {
  q: withoutControlCharacters(z.string().trim().min(1, 'give at least one character to search for').max(100)).optional().openapi({
    description: 'Text in the username, full name or biography (case-insensitive)',
  }),
  category: withoutControlCharacters(z.string().trim().min(1).max(100))
    .optional()
    .openapi({ description: 'Category name (case-insensitive)' }),
  min_followers: count('min_followers').optional(),
  max_followers: count('max_followers').optional(),
  min_er: z.coerce.number({ error: 'min_er must be a number' }).min(0, 'min_er must not be negative').max(100_000).optional().openapi({
    type: 'number',
    description: 'Minimum engagement rate, in percent (e.g. 2.5)',
  }),
  brand: z
    .string()
    .trim()
    .transform((v) => v.replace(/^@/, '').toLowerCase())
    .pipe(z.string().regex(/^[a-z0-9._]{1,30}$/, 'is an Instagram username (letters, digits, . and _, up to 30)'))
    .optional()
    .openapi({ type: 'string', description: 'Worked with this brand: a sponsored post names it (sponsor tag, tagged user or @mention)' }),
  min_credibility: z.coerce
    .number({ error: 'min_credibility must be a number' })
    .min(0, 'min_credibility must be between 0 and 1')
    .max(1, 'min_credibility must be between 0 and 1')
    .optional()
    .openapi({ type: 'number', description: 'Minimum audience credibility (0–1, deep-tier estimate; blogs without one are left out)' }),
  scrape_status: z.enum(SCRAPE_STATUSES).optional(),
  source: z
    .string()
    .trim()
    .regex(/^[\p{L}\p{N}_:.-]{1,120}\*?$/u, 'is a source such as manual or discover:almatyfood, or a prefix ending in * (discover:*)')
    .optional(),
};

const followerRange = (q: { min_followers?: number; max_followers?: number }) =>
  q.min_followers === undefined || q.max_followers === undefined || q.min_followers <= q.max_followers;
const followerRangeError = { path: ['max_followers'], error: 'must not be below min_followers' };

export const BlogListQuery = z
  .strictObject({
    ...blogFilterFields,
    sort: z.enum(['followers', 'er', 'scraped_at']).default('followers'),
    order: z.enum(['asc', 'desc']).default('desc'),
    ...paging({ max: 200, default: 50 }),
  })
  .refine(followerRange, followerRangeError);

export const EXPORT_FORMATS = ['csv', 'ndjson'] as const;
const format = z.enum(EXPORT_FORMATS, { error: 'format must be csv or ndjson' }).default('csv');

/** GET /api/blogs/export: the list's filters, every matching blog in id order (no paging: the response streams). */
export const BlogExportQuery = z.strictObject({ ...blogFilterFields, format }).refine(followerRange, followerRangeError);

/** GET /api/blogs/{username}/followers/export and …/following/export. */
export const AudienceExportQuery = z.strictObject({ format });

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
/** The filters of GET /api/blogs, its export and the console's table, in the store's names: one mapping for all. */
export const blogFiltersOf = (q: { [K in keyof typeof blogFilterFields]?: z.infer<(typeof blogFilterFields)[K]> }) => ({
  q: q.q,
  category: q.category,
  minFollowers: q.min_followers,
  maxFollowers: q.max_followers,
  minEr: q.min_er,
  minCredibility: q.min_credibility,
  brand: q.brand,
  scrapeStatus: q.scrape_status,
  source: q.source,
});

/** The filters and the page of GET /api/blogs (and the console's table). */
export const blogFilterOf = (q: z.infer<typeof BlogListQuery>): BlogFilter => ({
  ...blogFiltersOf(q),
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
    er_posts_hidden: z.number().int().nullable().openapi({
      description:
        'Non-pinned posts of the last scrape left out of er, er_reels and er_trend because their owner hid the like counts (Instagram shows a stand-in)',
    }),
    is_verified: z.boolean().nullable(),
    is_business: z.boolean().nullable(),
    is_private: z.boolean().nullable(),
    business_category: z.string().nullable(),
    scrape_status: z.enum(SCRAPE_STATUSES),
    source: z.string(),
    categories: z.array(z.string()).openapi({ description: 'Category names, the primary one first' }),
    ai_confidence: z.number().nullable(),
    credibility: z.object({ value: z.number(), low: z.number(), high: z.number() }).nullable().openapi({
      description:
        'Audience credibility (1 − suspicious share) with its Wilson 95 % interval, from the latest deep-tier audience_quality; null without one',
    }),
    scraped_at: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('BlogSummary');

export const BlogListSchema = pageOf(BlogSummarySchema, 'BlogList');

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
  author_username: z
    .string()
    .nullable()
    .openapi({ description: 'Who posted it: for a collab post in this feed, possibly another account' }),
  coauthors: z
    .array(z.string())
    .openapi({ description: "A collab post's co-authors (this blog among them when another account posted it)" }),
  counts_hidden: z.boolean().openapi({
    description: 'The owner hid the like and view counts: like_count and play_count are null, and the post is left out of the ER',
  }),
  is_sponsored: z
    .boolean()
    .openapi({ description: 'Paid-partnership label, sponsor tag, an ad hashtag (AD_HASHTAGS) or the AI analysis (signal ai)' }),
  sponsor_signals: z.array(z.enum(['paid_partnership', 'sponsor_tag', 'ad_hashtag', 'ai'])),
  brands: z.array(z.string()).openapi({ description: 'Sponsor tags, tagged users and caption @mentions of a sponsored post' }),
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

const ShareSchema = z.object({
  count: z.number().int(),
  n: z.number().int(),
  share: z.number(),
  low: z.number().openapi({ description: 'Wilson 95 % interval, lower end' }),
  high: z.number(),
});

export const AudienceQualitySchema = z
  .object({
    tier: z.enum(['quick', 'deep']),
    credibility: z.number().nullable().openapi({ description: '1 − suspicious share (deep tier only)' }),
    credibility_low: z.number().nullable(),
    credibility_high: z.number().nullable(),
    sample_size: z.number().int().openapi({ description: 'Followers read from the list' }),
    deep_sample_size: z.number().int().openapi({ description: 'Profiles looked up' }),
    requests: z.number().int().openapi({ description: 'Instagram requests the estimate cost' }),
    components: z.record(z.string(), ShareSchema),
    computed_at: z.string(),
  })
  .openapi('AudienceQuality');

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
  contact_emails: z.array(z.string()).openapi({ description: "E-mail addresses in the bio, then the business profile's public e-mail" }),
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
  sponsorship: z
    .object({
      sponsored_posts: z.number().int(),
      organic_posts: z.number().int(),
      brands: z.array(z.object({ username: z.string(), posts: z.number().int() })),
      paid_post_performance: z
        .number()
        .nullable()
        .openapi({ description: 'Median ER of sponsored ÷ median ER of organic posts × 100 % (non-pinned stored posts)' }),
    })
    .openapi({ description: 'Sponsored posts and the brands they name, over the stored posts' }),
  highlights: z.array(HighlightSchema),
  history: z.array(SnapshotSchema).openapi({ description: 'One snapshot per successful scrape, newest first' }),
  audience: z.array(ListStateSchema).openapi({ description: 'Follower / following lists fetched for this blog' }),
  growth: z
    .object({
      series: z.array(
        z.object({
          day: z.string(),
          followers: z.number().nullable(),
          following: z.number().nullable(),
          media: z.number().nullable(),
          follower_gain: z.number().nullable(),
          spike: z.boolean(),
        }),
      ),
      spikes: z
        .array(z.string())
        .openapi({ description: 'Days whose follower gain exceeds max(5 × 1.4826 × MAD of the last 30 daily gains, 0.5 % of followers)' }),
      seesaws: z.array(z.object({ rise_day: z.string(), fall_day: z.string(), rise: z.number(), fall: z.number() })),
      er_for_size: z
        .object({ tier_min: z.number().int(), verdict: z.enum(['low', 'average', 'high']) })
        .nullable()
        .openapi({ description: 'ER against the public band of its follower tier (ER_BANDS)' }),
    })
    .openapi({ description: 'Daily follower / following / media series from the snapshots, with its flags' }),
  audience_quality: AudienceQualitySchema.nullable().openapi({
    description: 'Latest audience-quality estimate (POST /api/tasks/audience-quality); null before the first',
  }),
}).openapi('BlogDetail');

const relation = z.enum(['mutual', 'followers_only', 'following_only']).default('mutual').openapi({
  description:
    'mutual: follow each other; followers_only: follow the blog, not followed back; following_only: followed by the blog, no follow back',
});

export const MutualsQuery = z.strictObject({
  relation,
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

export const MutualsSchema = pageOf(AudienceAccountSchema, 'Mutuals', {
  username: z.string(),
  relation: z.enum(['mutual', 'followers_only', 'following_only']),
  followers: ListStateSchema,
  following: ListStateSchema,
  partial: z.boolean().openapi({ description: 'A list was cut at max: the answer covers only what was fetched' }),
  total: z.number().int(),
});

/** GET /api/blogs/{username}/mutuals/export: a relation, every account of it. */
export const RelationQuery = z.strictObject({ relation, format });

export const AudienceQualityBody = z
  .strictObject({
    username: Username,
    sample: z
      .number({ error: 'sample must be a number' })
      .int('sample must be a whole number')
      .min(1, 'sample must be at least 1')
      .max(10_000, 'sample must be at most 10000')
      .optional()
      .openapi({
        description: 'Followers the quick tier reads, the first ones of the list (default AUDIENCE_SAMPLE_DEFAULT, 400: ±5 points at 95 %)',
      }),
    deep_budget: z
      .number({ error: 'deep_budget must be a number' })
      .int('deep_budget must be a whole number')
      .min(0, 'deep_budget must not be negative')
      .default(0)
      .openapi({
        description: 'Deep tier: profile lookups (one request each) on a seeded random sample of those followers; 0 = quick tier only',
      }),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .default(0)
      .openapi({ description: "Seed of the deep tier's sample" }),
    priority: z.number().int().min(1).max(10).default(TASK_KINDS.audience_quality.priorities.manual),
  })
  .openapi('AudienceQualityRequest');
