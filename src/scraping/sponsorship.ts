import { isRaw, type PostFields, type Raw } from './parse.js';

/**
 * Sponsored posts and the brands they name (README "Sponsored posts and brands"). A post is sponsored when
 * Instagram labels it (`is_paid_partnership`, a `sponsor_tags` entry) or when its caption carries an ad hashtag
 * (AD_HASHTAGS), or when the AI analysis says so (signal 'ai', set by src/ai/ai-sponsored.ts). Its brands are the sponsor tags, the tagged users (`usertags.in[].user`) and the caption
 * @mentions, in that order; an organic post names none. Computed once per upsert and stored on the post, so the
 * "worked with brand X" filter is an index lookup.
 */
/** 'ai': the AI analysis judged the post an undisclosed brand deal (src/ai/ai-sponsored.ts). */
export type SponsorSignal = 'paid_partnership' | 'sponsor_tag' | 'ad_hashtag' | 'ai';

export interface Sponsorship {
  is_sponsored: boolean;
  sponsor_signals: SponsorSignal[];
  brands: string[];
}

/** The default ad hashtags are a setting's default, so they live with the configuration (config.ts reads no service). */
export { DEFAULT_AD_HASHTAGS } from '../config.js';

const usernamesIn = (entries: unknown, key: string): string[] =>
  (Array.isArray(entries) ? entries : [])
    .map((entry) => (isRaw(entry) && isRaw(entry[key]) ? entry[key]['username'] : undefined))
    .filter((u): u is string => typeof u === 'string' && u !== '')
    .map((u) => u.toLowerCase());

export function sponsorshipOf(item: Raw, post: Pick<PostFields, 'hashtags' | 'mentions'>, adHashtags: ReadonlySet<string>): Sponsorship {
  const sponsors = usernamesIn(item['sponsor_tags'], 'sponsor');
  const signals: SponsorSignal[] = [];
  if (item['is_paid_partnership'] === true) signals.push('paid_partnership');
  if (sponsors.length > 0) signals.push('sponsor_tag');
  if (post.hashtags.some((tag) => adHashtags.has(tag))) signals.push('ad_hashtag');
  if (signals.length === 0) return { is_sponsored: false, sponsor_signals: [], brands: [] };
  return { is_sponsored: true, sponsor_signals: signals, brands: brandsNamed(item, post.mentions) };
}

/** A sponsored post's brands: sponsor tags, tagged users, then caption @mentions, without repeats. */
export function brandsNamed(item: Raw, mentions: readonly string[]): string[] {
  const sponsors = usernamesIn(item['sponsor_tags'], 'sponsor');
  const tagged = usernamesIn(isRaw(item['usertags']) ? item['usertags']['in'] : undefined, 'user');
  return [...new Set([...sponsors, ...tagged, ...mentions])];
}

/** AD_HASHTAGS as a set: lower case, without a leading #. */
export const adHashtagSet = (tags: readonly string[]): ReadonlySet<string> =>
  new Set(tags.map((t) => t.trim().replace(/^#/, '').toLowerCase()).filter(Boolean));
