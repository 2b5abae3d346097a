import { z } from '@hono/zod-openapi';
import { PRIORITY } from '../queue/task.js';
import { idParam, queryInt, withoutControlCharacters } from './schemas.js';

/**
 * Input and output schemas of the Graph API routes (src/http/routes/graph.ts, issue 21). The same definitions
 * validate requests and generate /openapi.json.
 */

const IgUsername = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9._]{1,30}$/, 'not a valid Instagram username');

export const GraphDiscoveryBody = z
  .object({
    usernames: z.array(IgUsername).min(1).max(500),
    connection_id: z
      .number()
      .int()
      .positive()
      .max(Number.MAX_SAFE_INTEGER)
      .optional()
      .openapi({ description: 'whose token to use; default: any usable connection' }),
    fallback_full_scrape: z
      .boolean()
      .default(true)
      .openapi({ description: 'hand usernames discovery cannot see (personal, private, unknown) to full_scrape' }),
    priority: z.number().int().min(1).max(10).default(PRIORITY.manualScrape),
  })
  .strict()
  .openapi('GraphDiscoveryRequest');

export const GraphBriefBody = z
  .object({
    // Postgres text refuses NUL (a 500 the fuzz suite found); a name or version has no use for any control character.
    name: withoutControlCharacters(z.string().trim().min(1).max(200)),
    script_version: withoutControlCharacters(z.string().trim().max(200)).nullish(),
    expected: z
      .record(z.string().regex(/^[a-z_]{1,40}$/, 'figure names are lowercase words with _'), z.number().finite())
      .refine((e) => Object.keys(e).length <= 30, 'at most 30 figures')
      .openapi({ description: 'free-form expected figures, e.g. {"views": 50000, "reach": 30000, "er": 4.5}' }),
    notes: z
      .string()
      .max(5000)
      .refine((value) => !value.includes('\u0000'), { error: 'must not contain the NUL character' })
      .nullish(),
  })
  .strict()
  .openapi('GraphBriefRequest');

export const GraphBindBody = z
  .object({ brief_id: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).nullable().openapi({ description: 'null unbinds' }) })
  .strict()
  .openapi('GraphBindRequest');

export const GraphPickBody = z
  .object({ ig_user_id: z.string().regex(/^\d{1,30}$/, 'must be the numeric Instagram account id from …/pages') })
  .strict()
  .openapi('GraphPickRequest');

export const GraphConnectionIdParam = idParam('connection', 1);
export const GraphMediaIdParam = idParam('media', 1);

export const GraphConnectQuery = z.object({
  format: z.enum(['json']).optional().openapi({ description: 'json: answer {"authorize_url"} instead of the 302' }),
});

/** What Facebook Login puts on the redirect: a code and the state, or an error. */
export const GraphCallbackQuery = z.object({
  code: z.string().max(4096).optional(),
  state: z.string().max(512).optional(),
  error: z.string().max(512).optional(),
  error_description: z.string().max(2048).optional(),
  error_reason: z.string().max(512).optional(),
});

export const GraphMediaQuery = z.object({
  connection_id: z.coerce
    .number({ error: 'connection_id must be a whole number' })
    .int('connection_id must be a whole number')
    .positive('connection_id must be positive')
    .max(Number.MAX_SAFE_INTEGER, 'connection_id is too large')
    .optional()
    .openapi({ type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
  limit: queryInt({ min: 1, max: 500, default: 50 }),
});

export const GraphMediaReportQuery = z.object({ history_limit: queryInt({ min: 1, max: 500, default: 50 }) });

const InstagramAccount = z.object({ id: z.string(), username: z.string().nullable() });

export const GraphConnectionSchema = z
  .object({
    id: z.number().int(),
    fb_user_id: z.string(),
    fb_user_name: z.string().nullable(),
    status: z.string().openapi({ example: 'active' }),
    status_reason: z.string().nullable(),
    scopes: z.array(z.string()),
    token_issued_at: z.string(),
    token_expires_at: z.string().nullable(),
    last_refreshed_at: z.string().nullable(),
    instagram_account: InstagramAccount.extend({ page_id: z.string().nullable(), page_name: z.string().nullable() }).nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('GraphConnection');

export const GraphPageSchema = z
  .object({ id: z.string(), name: z.string(), instagram_account: InstagramAccount.nullable() })
  .openapi('GraphPage');

export const GraphStatusSchema = z
  .object({
    enabled: z.boolean(),
    reason: z.string().nullable().openapi({ description: 'why the source is off (the missing settings)' }),
    api_base_url: z.string().nullable(),
    connections: z.array(GraphConnectionSchema),
  })
  .openapi('GraphStatus');

export const GraphCallbackSchema = z
  .object({ connection: GraphConnectionSchema, pages: z.array(GraphPageSchema), next: z.string() })
  .openapi('GraphCallback');

export const GraphBriefSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    script_version: z.string().nullable(),
    expected: z.record(z.string(), z.unknown()),
    notes: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('GraphBrief');

const Figures = z.record(z.string(), z.number().nullable());

export const GraphMediaSchema = z
  .object({
    id: z.number().int(),
    connection_id: z.number().int(),
    ig_media_id: z.string(),
    media_product_type: z.string().nullable(),
    permalink: z.string().nullable(),
    posted_at: z.string().nullable(),
    brief_id: z.number().int().nullable(),
    insights_at: z.string().nullable(),
  })
  .openapi('GraphMedia');

export const GraphMediaReportSchema = z
  .object({
    media: GraphMediaSchema.extend({ media_type: z.string().nullable(), shortcode: z.string().nullable(), caption: z.string().nullable() }),
    brief: GraphBriefSchema.nullable(),
    actual: Figures.nullable(),
    actual_at: z.string().nullable(),
    comparison: z.array(
      z.object({
        figure: z.string(),
        expected: z.number().nullable(),
        actual: z.number().nullable(),
        difference: z.number().nullable(),
        ratio: z.number().nullable(),
      }),
    ),
    history: z.array(
      z.looseObject({ taken_at: z.string() }).openapi({ description: 'one snapshot: taken_at and the figures of `actual`' }),
    ),
  })
  .openapi('GraphMediaReport');
