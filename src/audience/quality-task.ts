import type { Kysely } from 'kysely';
import { z } from 'zod';
import { InstagramSession } from '../accounts/session.js';
import type { AccountPool } from '../accounts/pool.js';
import type { Database } from '../db/schema.js';
import { TargetNotFoundError, TargetPrivateError } from '../instagram/errors.js';
import { PermanentTaskError } from '../queue/errors.js';
import type { TaskContext, TaskHandler } from '../queue/registry.js';
import { fetchFollowPage } from '../scraping/follow-feed.js';
import type { AudienceUser } from './store.js';
import { credibility, deepComponents, quickComponents, seededSample, type FollowerProfile } from './quality.js';

/**
 * `audience_quality` (issue 19, README "Audience quality"): an estimate of how real a blog's audience is.
 * Quick tier: the first `sample` followers of the list, read page by page (1 profile request + ⌈sample / page
 * size⌉ list requests). Deep tier, when `deep_budget` > 0: that many profile lookups (`users/{pk}/info`) on a
 * seeded random sample of those followers, for the mass-follower, reachability and suspicious shares and the
 * credibility. Every Instagram request goes through the account pool like any other task's. A run is short (17
 * requests for 400 followers at 25 a page), so an interrupted run starts over instead of checkpointing.
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
    if (!parsed.success) throw new PermanentTaskError(`invalid audience_quality payload: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
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

async function estimate(ctx: TaskContext, session: InstagramSession, payload: AudienceQualityPayload, blogId: number) {
  let requests = 0;
  const call: InstagramSession['call'] = (action, fn) => {
    requests++;
    return session.call(action, fn);
  };
  const user = await call('usernameinfo', (ig) => ig.user.usernameinfo(payload.username));
  if (user.is_private) throw new TargetPrivateError(`${payload.username} is private: its followers are not visible`);
  const pk = String(user.pk);

  const sample: AudienceUser[] = [];
  let state: string | null = null;
  for (let more = true; more && sample.length < payload.sample; ) {
    requests++;
    const page = await fetchFollowPage(session, 'followers', pk, state);
    sample.push(...page.users.slice(0, payload.sample - sample.length));
    state = page.state;
    more = page.more && page.users.length > 0;
  }
  const quick = quickComponents(sample.map((u) => ({ ...u, anonymousPicture: u.anonymousPicture ?? null })));

  const profiles: FollowerProfile[] = [];
  for (const index of seededSample(sample.length, payload.deep_budget, payload.seed)) {
    const follower = sample[index]!;
    const info = await call('user_info', (ig) => ig.user.info(follower.platformId));
    profiles.push({
      anonymousPicture: info.has_anonymous_profile_picture === true,
      mediaCount: Number(info.media_count ?? 0),
      followerCount: Number(info.follower_count ?? 0),
      followingCount: Number(info.following_count ?? 0),
      biography: info.biography ?? '',
    });
  }
  const deep = profiles.length > 0 ? deepComponents(profiles) : null;
  const cred = deep ? credibility(deep.suspicious) : null;
  await saveQuality(ctx.db, {
    blogId,
    taskId: ctx.task.id,
    tier: deep ? 'deep' : 'quick',
    sampleSize: sample.length,
    deepSampleSize: profiles.length,
    requests,
    credibility: cred,
    components: { ...quick, ...(deep ?? {}) },
  });
  ctx.logger.info({ username: payload.username, sample: sample.length, lookups: profiles.length, requests }, 'audience quality estimated');
  return { username: payload.username, tier: deep ? 'deep' : 'quick', sample_size: sample.length, deep_sample_size: profiles.length, requests, credibility: cred };
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
