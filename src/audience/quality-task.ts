import type { Kysely } from 'kysely';
import { z } from 'zod';
import { InstagramSession } from '../accounts/session.js';
import type { AccountPool } from '../accounts/pool.js';
import type { Database } from '../db/schema.js';
import { TargetNotFoundError, TargetPrivateError } from '../instagram/errors.js';
import { PermanentTaskError, RetryableTaskError } from '../queue/errors.js';
import type { TaskContext, TaskHandler } from '../queue/registry.js';
import { fetchFollowPage } from './follow-feed.js';
import { credibility, deepComponents, quickComponents, seededSample } from './quality.js';

/**
 * `audience_quality` (issue 19, README "Audience quality"): an estimate of how real a blog's audience is.
 * Quick tier: the first `sample` followers of the list, read page by page (1 profile request + ⌈sample / page
 * size⌉ list requests). Deep tier, when `deep_budget` > 0: that many profile lookups (`users/{pk}/info`) on a
 * seeded random sample of those followers, for the mass-follower, reachability and suspicious shares and the
 * credibility. Every Instagram request goes through the account pool like any other task's. A run is short (17
 * requests for 400 followers at 25 a page); the deep tier may need several budget windows, so the task checkpoints
 after every request and a deferred or interrupted run continues where it stopped.
 */
export const AudienceQualityPayload = z.object({
  username: z.string().min(1),
  sample: z.number().int().positive(),
  deep_budget: z.number().int().min(0).default(0),
  /** Seed of the deep tier's sample; the same seed looks up the same followers. */
  seed: z.number().int().min(0).default(0),
});
export type AudienceQualityPayload = z.infer<typeof AudienceQualityPayload>;

export function audienceQualityHandler(pool: AccountPool): TaskHandler {
  return async (ctx) => {
    const parsed = AudienceQualityPayload.safeParse(ctx.task.payload);
    if (!parsed.success)
      throw new PermanentTaskError(
        `invalid audience_quality payload: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      );
    const payload = parsed.data;
    const blogId = ctx.task.blog_id;
    if (blogId === null) throw new PermanentTaskError('an audience_quality task needs a blog');
    const session = new InstagramSession(pool, ctx.task.id, ctx.signal, ctx.logger);
    try {
      return await estimate(ctx, session, payload, blogId);
    } catch (error) {
      if (error instanceof TargetNotFoundError || error instanceof TargetPrivateError) {
        return { username: payload.username, status: error instanceof TargetPrivateError ? 'private' : 'deleted', reason: error.message };
      }
      throw error;
    } finally {
      await session.close();
    }
  };
}

/**
 * What the task's progress holds after every request: the follower sample read so far, the feed's state, the
 * profiles looked up and the requests spent. A run deferred by the account budget (a deep tier can need more
 * requests than one window allows) or interrupted continues from here instead of paying again.
 */
const Checkpoint = z.object({
  pk: z.string(),
  state: z.string().nullable(),
  more: z.boolean(),
  sample: z.array(
    z.object({
      id: z.string(),
      username: z.string(),
      fullName: z.string().nullable(),
      isPrivate: z.boolean().nullable(),
      isVerified: z.boolean().nullable(),
      anonymousPicture: z.boolean().nullable(),
    }),
  ),
  profiles: z.array(
    z.object({
      anonymousPicture: z.boolean(),
      mediaCount: z.number(),
      followerCount: z.number(),
      followingCount: z.number(),
      biography: z.string(),
    }),
  ),
  requests: z.number().int(),
});
type Checkpoint = z.infer<typeof Checkpoint>;

async function estimate(ctx: TaskContext, session: InstagramSession, payload: AudienceQualityPayload, blogId: number) {
  const saved = Checkpoint.safeParse(ctx.task.progress);
  const cp: Checkpoint = saved.success ? saved.data : await begin(ctx, session, payload);
  const save = async () => {
    if (!(await ctx.saveProgress({ ...cp }))) throw new RetryableTaskError('the task lost its lease while checkpointing');
  };

  while (cp.more && cp.sample.length < payload.sample) {
    cp.requests++;
    const page = await fetchFollowPage(session, 'followers', cp.pk, cp.state);
    cp.sample.push(
      ...page.users
        .slice(0, payload.sample - cp.sample.length)
        .map((u) => ({ ...u, id: u.platformId, anonymousPicture: u.anonymousPicture ?? null })),
    );
    cp.state = page.state;
    cp.more = page.more && page.users.length > 0;
    await save();
  }
  const quick = quickComponents(cp.sample);

  const lookups = seededSample(cp.sample.length, payload.deep_budget, payload.seed);
  while (cp.profiles.length < lookups.length) {
    const follower = cp.sample[lookups[cp.profiles.length]!]!;
    cp.requests++;
    const info = await session.call('user_info', (ig) => ig.user.info(follower.id));
    cp.profiles.push({
      anonymousPicture: info.has_anonymous_profile_picture === true,
      mediaCount: Number(info.media_count ?? 0),
      followerCount: Number(info.follower_count ?? 0),
      followingCount: Number(info.following_count ?? 0),
      biography: info.biography ?? '',
    });
    await save();
  }
  const deep = cp.profiles.length > 0 ? deepComponents(cp.profiles) : null;
  const cred = deep ? credibility(deep.suspicious) : null;
  const tier = deep ? 'deep' : 'quick';
  await saveQuality(ctx.db, {
    blogId,
    taskId: ctx.task.id,
    tier,
    sampleSize: cp.sample.length,
    deepSampleSize: cp.profiles.length,
    requests: cp.requests,
    credibility: cred,
    components: { ...quick, ...(deep ?? {}) },
  });
  ctx.logger.info(
    { username: payload.username, sample: cp.sample.length, lookups: cp.profiles.length, requests: cp.requests },
    'audience quality estimated',
  );
  return {
    username: payload.username,
    tier,
    sample_size: cp.sample.length,
    deep_sample_size: cp.profiles.length,
    requests: cp.requests,
    credibility: cred,
  };
}

/** A fresh run: resolve the user (one request). */
async function begin(ctx: TaskContext, session: InstagramSession, payload: AudienceQualityPayload): Promise<Checkpoint> {
  const user = await session.call('usernameinfo', (ig) => ig.user.usernameinfo(payload.username));
  if (user.is_private) throw new TargetPrivateError(`${payload.username} is private: its followers are not visible`);
  const cp: Checkpoint = { pk: String(user.pk), state: null, more: true, sample: [], profiles: [], requests: 1 };
  if (!(await ctx.saveProgress({ ...cp }))) throw new RetryableTaskError('the task lost its lease while checkpointing');
  return cp;
}

interface QualityRow {
  blogId: number;
  taskId: number;
  tier: 'quick' | 'deep';
  sampleSize: number;
  deepSampleSize: number;
  requests: number;
  credibility: { value: number; low: number; high: number } | null;
  components: Record<string, unknown>;
}

async function saveQuality(db: Kysely<Database>, row: QualityRow): Promise<void> {
  const values = {
    task_id: row.taskId,
    tier: row.tier,
    sample_size: row.sampleSize,
    deep_sample_size: row.deepSampleSize,
    requests: row.requests,
    credibility: row.credibility?.value ?? null,
    credibility_low: row.credibility?.low ?? null,
    credibility_high: row.credibility?.high ?? null,
    components: JSON.stringify(row.components),
    computed_at: new Date(),
  };
  await db
    .insertInto('audience_quality')
    .values({ blog_id: row.blogId, ...values })
    .onConflict((oc) => oc.column('blog_id').doUpdateSet(values))
    .execute();
}
