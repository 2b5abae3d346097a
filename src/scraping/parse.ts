/**
 * Instagram's private-API answers → our rows. Pure and defensive: the library's response types promise fields the
 * API omits (`comment_count` is absent when zero), json-bigint turns big ids into strings but leaves small ones as
 * numbers, and some feeds contain `undefined` entries. Every id therefore becomes a string here, every count
 * defaults sensibly, and the whole raw object is kept for fields we do not map yet.
 */

import type { Selectable } from 'kysely';
import type { BlogsTable } from '../db/schema.js';

export type Raw = Record<string, unknown>;

export const isRaw = (value: unknown): value is Raw => typeof value === 'object' && value !== null && !Array.isArray(value);
const str = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);
const num = (value: unknown): number | null => {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) ? n : null;
};
const bool = (value: unknown): boolean | null => (typeof value === 'boolean' ? value : null);
/** Instagram ids arrive as numbers (small) or strings (big, from json-bigint): always text for us. */
export const idOf = (value: unknown): string | null =>
  typeof value === 'string' && value !== '' ? value : typeof value === 'number' || typeof value === 'bigint' ? String(value) : null;
const list = (value: unknown): Raw[] => (Array.isArray(value) ? value.filter(isRaw) : []);
const unique = (values: Iterable<string>): string[] => [...new Set(values)];

/** The blog columns a profile answer fills: the table's own types, so a renamed column breaks the build here. */
export type ProfileFields = { platform_id: string; username: string | null } & Pick<
  Selectable<BlogsTable>,
  | 'full_name'
  | 'biography'
  | 'avatar_url'
  | 'follower_count'
  | 'following_count'
  | 'media_count'
  | 'is_verified'
  | 'is_business'
  | 'is_private'
  | 'business_category'
  | 'external_url'
>;

/** users/{username}/usernameinfo and users/{pk}/info answer the same `user` object. */
export function profileFields(user: Raw): ProfileFields {
  const platformId = idOf(user['pk']) ?? idOf(user['pk_id']);
  if (!platformId) throw new Error('Instagram profile without a pk');
  // The small avatar (`profile_pic_url`, 150 × 150): enough to see a face or a logo, 25 patches on GPT-5 nano where
  // the HD one (1080 × 1080) costs 1,156. The HD one only when the small one is missing.
  const hd = isRaw(user['hd_profile_pic_url_info']) ? str(user['hd_profile_pic_url_info']['url']) : null;
  return {
    platform_id: platformId,
    username: str(user['username'])?.toLowerCase() ?? null,
    full_name: str(user['full_name']),
    biography: str(user['biography']),
    avatar_url: str(user['profile_pic_url']) ?? hd,
    follower_count: num(user['follower_count']),
    following_count: num(user['following_count']),
    media_count: num(user['media_count']),
    is_verified: bool(user['is_verified']),
    is_business: bool(user['is_business']),
    is_private: bool(user['is_private']),
    business_category: str(user['category']) ?? str(user['business_category_name']),
    external_url: str(user['external_url']),
  };
}

export interface PostFields {
  platform_id: string;
  shortcode: string | null;
  caption_text: string | null;
  hashtags: string[];
  mentions: string[];
  /** Null when the owner hid the counts (counts_hidden). */
  like_count: number | null;
  comment_count: number;
  play_count: number | null;
  media_type: number | null;
  product_type: string | null;
  thumbnail_url: string | null;
  location_name: string | null;
  location_lat: number | null;
  location_lng: number | null;
  taken_at: Date | null;
  is_pinned: boolean;
  /** The owner hid the like and view counts: Instagram sends a stand-in (3), so both are stored as unknown. */
  counts_hidden: boolean;
  /** Who posted it (`item.user`): for a collab post in a creator's feed, possibly another account. */
  author_username: string | null;
  /** A collab post's co-authors (`coauthor_producers`), the feed owner among them when someone else posted it. */
  coauthors: string[];
}

// Instagram hashtags: letters, digits and "_" in any script. Usernames: letters, digits, "." and "_", never ending
// with "." (so the full stop after "@name." is not part of it).
const HASHTAG = /#([\p{L}\p{N}_]+)/gu;
// An "@" right after a character of an e-mail's local part belongs to an e-mail ("collab@brand.com" mentions no
// @brand.com), so a mention starts the text or follows anything else (a space, punctuation, an emoji).
const MENTION = /(?<![A-Za-z0-9._%+-])@([A-Za-z0-9._]+)/g;
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;

export const captionHashtags = (text: string | null): string[] =>
  text ? unique([...text.matchAll(HASHTAG)].map((m) => m[1]!.toLowerCase())) : [];
/** E-mail addresses in a caption or bio (contacts), lower-cased, in order of appearance. */
export const textEmails = (text: string | null): string[] => (text ? unique([...text.matchAll(EMAIL)].map((m) => m[0].toLowerCase())) : []);
export const captionMentions = (text: string | null): string[] =>
  text ? unique([...text.matchAll(MENTION)].map((m) => m[1]!.replace(/\.+$/, '').toLowerCase()).filter((u) => u !== '')) : [];

/**
 * The image version the AI prompt and the UI use: the smallest that still shows the whole post. Instagram lists
 * each picture in several widths (`image_versions2.candidates`, largest first: 1440/1080, 750, 640, 480, 320, 240,
 * 150 px — feed_timeline.1 in ig-samples), some of them square grid crops of a portrait or landscape picture. We
 * keep the versions with the largest one's aspect ratio (a crop would cut the post) and take the narrowest at least
 * POST_IMAGE_MIN_WIDTH_PX wide; with none that wide, the widest. GPT-5 mini/nano bill images by 32-px patch
 * (src/ai/tokens.ts): a 320 × 400 version costs 130 patches where the 1080 × 1350 one costs 1,462.
 */
export const POST_IMAGE_MIN_WIDTH_PX = 320;
/** Two versions show the same picture when their aspect ratios differ by less than this (1080×1349 vs 320×400). */
const SAME_ASPECT = 0.03;

export function postImageUrl(candidates: readonly Raw[]): string | null {
  const sized = candidates
    .map((c) => ({ url: str(c['url']), width: num(c['width']), height: num(c['height']) }))
    .filter((c): c is { url: string; width: number; height: number } => c.url !== null && !!c.width && !!c.height);
  if (sized.length === 0) return str(candidates[0]?.['url']);
  const largest = sized.reduce((a, b) => (b.width * b.height > a.width * a.height ? b : a));
  const aspect = largest.width / largest.height;
  const whole = sized.filter((c) => Math.abs(c.width / c.height - aspect) / aspect < SAME_ASPECT).sort((a, b) => a.width - b.width);
  return (whole.find((c) => c.width >= POST_IMAGE_MIN_WIDTH_PX) ?? whole[whole.length - 1]!).url;
}

function firstImageUrl(item: Raw): string | null {
  const versions = isRaw(item['image_versions2']) ? list(item['image_versions2']['candidates']) : [];
  const url = postImageUrl(versions);
  if (url) return url;
  const child = list(item['carousel_media'])[0];
  return child ? firstImageUrl(child) : null;
}

/**
 * Pinned on the feed owner's grid: feed/user marks it with that owner's pk in `timeline_pinned_user_ids`. The owner is
 * the feed's, not `item.user`: a collab post in the feed was posted by its author (issue 13), and one pinned by its
 * co-author names the co-author. Without the feed owner (a hashtag feed), the author.
 */
function isPinned(item: Raw, feedOwnerPk: string | null): boolean {
  const pinnedBy = item['timeline_pinned_user_ids'];
  if (!Array.isArray(pinnedBy) || pinnedBy.length === 0) return false;
  const owner = feedOwnerPk ?? (isRaw(item['user']) ? idOf(item['user']['pk']) : null);
  return owner === null || pinnedBy.some((pk) => idOf(pk) === owner);
}

const usernameOf = (user: unknown): string | null => (isRaw(user) ? (str(user['username'])?.toLowerCase() ?? null) : null);

/** One item of feed/user (`feedOwnerPk`: whose feed it is) or of a hashtag feed. */
export function postFields(item: Raw, feedOwnerPk: string | null = null): PostFields {
  const platformId = idOf(item['pk']) ?? idOf(item['id'])?.split('_')[0] ?? null;
  if (!platformId) throw new Error('Instagram media without a pk');
  const caption = isRaw(item['caption']) ? str(item['caption']['text']) : null;
  const location = isRaw(item['location']) ? item['location'] : null;
  const takenAt = num(item['taken_at']);
  const countsHidden = item['like_and_view_counts_disabled'] === true;
  return {
    platform_id: platformId,
    shortcode: str(item['code']),
    caption_text: caption,
    hashtags: captionHashtags(caption),
    mentions: captionMentions(caption),
    like_count: countsHidden ? null : (num(item['like_count']) ?? 0),
    comment_count: num(item['comment_count']) ?? 0,
    play_count: countsHidden ? null : (num(item['play_count']) ?? num(item['ig_play_count']) ?? num(item['view_count'])),
    media_type: num(item['media_type']),
    product_type: str(item['product_type']),
    thumbnail_url: firstImageUrl(item),
    location_name: location ? str(location['name']) : null,
    location_lat: num(location?.['lat']) ?? num(item['lat']),
    location_lng: num(location?.['lng']) ?? num(item['lng']),
    taken_at: takenAt === null ? null : new Date(takenAt * 1000),
    is_pinned: isPinned(item, feedOwnerPk),
    counts_hidden: countsHidden,
    author_username: usernameOf(item['user']),
    coauthors: unique(
      list(item['coauthor_producers'])
        .map(usernameOf)
        .filter((u): u is string => u !== null),
    ),
  };
}

export const isReel = (post: { product_type: string | null; media_type: number | null }): boolean =>
  post.product_type === 'clips' || (post.product_type === null && post.media_type === 2);

export interface HighlightFields {
  platform_id: string;
  /** The id reels_media wants: `highlight:<pk>`. */
  reel_id: string;
  title: string | null;
  media_count: number | null;
  cover_url: string | null;
}

/** One entry of highlights/{pk}/highlights_tray. */
export function highlightFields(entry: Raw): HighlightFields | null {
  const reelId = idOf(entry['id']);
  const platformId = reelId?.replace(/^highlight:/, '') ?? idOf(entry['pk']);
  if (!platformId) return null;
  const cover = isRaw(entry['cover_media']) ? entry['cover_media'] : null;
  const cropped = cover && isRaw(cover['cropped_image_version']) ? str(cover['cropped_image_version']['url']) : null;
  const full = cover && isRaw(cover['full_image_version']) ? str(cover['full_image_version']['url']) : null;
  return {
    platform_id: platformId,
    reel_id: reelId ?? `highlight:${platformId}`,
    title: str(entry['title']),
    media_count: num(entry['media_count']),
    cover_url: cropped ?? full,
  };
}

export interface StoryExtras {
  story_mentions: string[];
  story_locations: string[];
  story_links: string[];
}

/** What a highlight's stories point at: @mentions, places and link stickers (old `story_cta` links included). */
export function storyExtras(reel: Raw): StoryExtras {
  const items = list(reel['items']);
  const mentions = items.flatMap((i) => list(i['reel_mentions']).map((m) => (isRaw(m['user']) ? str(m['user']['username']) : null)));
  const locations = items.flatMap((i) => list(i['story_locations']).map((l) => (isRaw(l['location']) ? str(l['location']['name']) : null)));
  const links = items.flatMap((i) => [
    ...list(i['story_link_stickers']).map((s) => (isRaw(s['story_link']) ? str(s['story_link']['url']) : null)),
    ...list(i['story_cta']).flatMap((cta) => list(cta['links']).map((l) => str(l['webUri']))),
  ]);
  const present = (values: Array<string | null>) => unique(values.filter((v): v is string => v !== null));
  return {
    story_mentions: present(mentions.map((m) => m?.toLowerCase() ?? null)),
    story_locations: present(locations),
    story_links: present(links.map(unwrapLink)),
  };
}

/**
 * The target of an Instagram link shim: 2026 link stickers (and bio links) arrive as
 * `https://l.instagram.com/?u=<encoded target>&e=<token>`; the token changes per view, the target is the link.
 */
export function unwrapLink(url: string | null): string | null {
  if (!url) return url;
  try {
    const parsed = new URL(url);
    const target = /^l[a-z]?\.instagram\.com$/.test(parsed.hostname) ? parsed.searchParams.get('u') : null;
    return target && /^https?:\/\//i.test(target) ? target : url;
  } catch {
    return url;
  }
}

/** The author of a hashtag-feed item, as the feed shows it. */
export interface Author {
  pk: string;
  username: string;
  is_private: boolean;
}

function accountOf(user: unknown): Author | null {
  if (!isRaw(user)) return null;
  const pk = idOf(user['pk']) ?? idOf(user['pk_id']);
  const username = str(user['username']);
  return pk && username ? { pk, username: username.toLowerCase(), is_private: user['is_private'] === true } : null;
}

export function authorOf(item: unknown): Author | null {
  return isRaw(item) ? accountOf(item['user']) : null;
}

/** Whoever made a post: its author, then a collab post's co-authors (`coauthor_producers`), each once. */
export function creatorsOf(item: unknown): Author[] {
  if (!isRaw(item)) return [];
  const all = [authorOf(item), ...list(item['coauthor_producers']).map(accountOf)].filter((a): a is Author => a !== null);
  return all.filter((a, i) => all.findIndex((b) => b.pk === a.pk) === i);
}
