import type { BlogProfile } from './profiles.js';

/**
 * The chat messages of one blog's request (SPEC §7): a system prompt that explains the task, and a multimodal user
 * message with the scraped facts as labelled lines plus the avatar and post thumbnails (detail "low": 85 tokens
 * each on GPT-4o-class models; the GPT-5 mini/nano family bills 32-px patches whatever `detail` says, so there the
 * image's size is what costs — see tokens.ts).
 */

type Post = BlogProfile['posts'][number];

export interface ChatMessage {
  role: 'system' | 'user';
  content: string | ContentPart[];
}
export type ContentPart = { type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string; detail: 'low' } };

const CAPTION_CHARS = 400;
const BIO_CHARS = 600;

export function systemPrompt(categories: readonly string[]): string {
  return [
    'You are an analyst of Instagram creators for an influencer-marketing team working in Kazakhstan, Russia and Central Asia.',
    'From the profile, its latest posts and reels, and the images, infer who the creator is, their lifestyle, their content,',
    'their commercial activity and their likely audience. Content is mostly in Russian and Kazakh; answer in English.',
    'Use null whenever the material does not show the answer; do not guess. Set confidence (0 to 1) to how well the',
    'material supports your answer as a whole.',
    'In sponsored_posts, list each post (by the code in brackets before it) that reads as a paid brand deal although it is',
    'not marked "paid partnership" and carries no ad hashtag (a discount code, "link in bio" with a brand, "partnered with"),',
    'with a short reason; leave out posts that are not clearly sponsored.',
    categories.length > 0 ? `Topics (choose primary_topic and up to 5 secondary_topics among them): ${categories.join(', ')}.` : '',
  ]
    .filter(Boolean)
    .join('\n');
}

export function buildMessages(
  profile: BlogProfile,
  categories: readonly string[],
  maxImages: number,
  imagesUsableUntil?: Date,
): ChatMessage[] {
  const images = imageUrls(profile, maxImages, imagesUsableUntil).map(
    (url): ContentPart => ({ type: 'image_url', image_url: { url, detail: 'low' } }),
  );
  return [
    { role: 'system', content: systemPrompt(categories) },
    { role: 'user', content: [{ type: 'text', text: profileText(profile) }, ...images] },
  ];
}

/**
 * The avatar first, then the newest post thumbnails, at most `max` in all. Instagram's CDN links are signed and
 * expire (`oe=`, hex Unix seconds); one that expires before `usableUntil` (the latest moment OpenAI may still fetch
 * it) is left out: OpenAI would fail the whole request on it, and the retry would fail again on the same link.
 */
export function imageUrls({ blog, posts }: BlogProfile, max: number, usableUntil?: Date): string[] {
  const urls = [blog.avatar_url, ...posts.map((p) => p.thumbnail_url)].filter(
    (u): u is string => !!u && /^https?:\/\//.test(u) && !(usableUntil && expiresBefore(u, usableUntil)),
  );
  return [...new Set(urls)].slice(0, max);
}

/** True when a signed CDN link's `oe` expiry is before `moment`; links without one are taken as lasting. */
export function expiresBefore(url: string, moment: Date): boolean {
  let expiry: string | null;
  try {
    expiry = new URL(url).searchParams.get('oe');
  } catch {
    return false;
  }
  if (!expiry || !/^[0-9a-f]{1,12}$/i.test(expiry)) return false;
  return parseInt(expiry, 16) * 1000 < moment.getTime();
}

export function profileText(profile: BlogProfile): string {
  const { blog, posts, highlights } = profile;
  const reels = posts.filter(isReel);
  const feed = posts.filter((p) => !isReel(p));
  const lines = [
    `username: ${blog.username}`,
    blog.full_name ? `full name: ${blog.full_name}` : '',
    `bio: ${clip(blog.biography ?? '', BIO_CHARS).replace(/\n+/g, ' / ') || '(empty)'}`,
    `followers: ${blog.follower_count ?? 'unknown'}, following: ${blog.following_count ?? 'unknown'}, posts: ${blog.media_count ?? 'unknown'}`,
    `verified: ${yesNo(blog.is_verified)}, business account: ${yesNo(blog.is_business)}${blog.business_category ? ` (${blog.business_category})` : ''}`,
    blog.external_url ? `external url: ${blog.external_url}` : '',
    `engagement rate: ${pct(blog.er)} (reels ${pct(blog.er_reels)}), trend: ${blog.er_trend ?? 'unknown'}, posts per week: ${blog.posts_per_week ?? 'unknown'}`,
    feed.length > 0 ? 'posts (newest first):' : '',
    ...feed.map((p) => `- ${postLine(p, blog.follower_count)}`),
    reels.length > 0 ? 'reels (newest first):' : '',
    ...reels.map((p) => `- ${postLine(p, blog.follower_count)}`),
    listLine(
      'hashtags',
      ranked(
        posts.flatMap((p) => p.hashtags),
        '#',
      ),
    ),
    listLine(
      'mentions',
      ranked(
        posts.flatMap((p) => p.mentions),
        '@',
      ),
    ),
    listLine(
      'brands',
      brands(profile).map((b) => `@${b}`),
    ),
    ...highlights.map(highlightLine),
  ];
  return lines.filter((line) => line !== '').join('\n');
}

function postLine(post: Post, followers: number | null): string {
  // A null like count is one the owner hid (counts_hidden): unknown, never 0.
  const likes = post.like_count;
  const comments = post.comment_count ?? 0;
  const er = followers && likes !== null ? `${((100 * (likes + comments)) / followers).toFixed(2)}%` : 'unknown';
  const facts = [
    post.taken_at ? post.taken_at.toISOString().slice(0, 10) : 'undated',
    isReel(post) ? `${post.play_count ?? 'unknown'} plays` : null,
    `ER ${er}`,
    `${likes ?? 'hidden'} likes, ${comments} comments`,
    post.is_pinned ? 'pinned' : null,
    post.location_name ? `location ${post.location_name}` : null,
    paid(post) ? 'paid partnership' : null,
  ].filter(Boolean);
  const caption = clip(post.caption_text ?? '', CAPTION_CHARS).replace(/\s*\n+\s*/g, ' / ');
  return `[${post.shortcode ?? post.platform_id}] ${facts.join(', ')}: ${caption || '(no caption)'}`;
}

function highlightLine(h: BlogProfile['highlights'][number]): string {
  const parts = [
    h.story_mentions.length ? `mentions ${h.story_mentions.map((m) => `@${m}`).join(' ')}` : '',
    h.story_locations.length ? `locations ${h.story_locations.join(', ')}` : '',
    h.story_links.length ? `links ${h.story_links.join(' ')}` : '',
  ].filter(Boolean);
  return `highlight "${h.title ?? ''}"${parts.length ? `: ${parts.join('; ')}` : ''}`;
}

/** Accounts the creator works with: paid-partnership tags, sponsor tags, and the mentions in paid posts. */
function brands({ posts }: BlogProfile): string[] {
  const found = new Set<string>();
  for (const post of posts) {
    const raw = (post.raw ?? {}) as { sponsor_tags?: { sponsor?: { username?: string } }[] };
    for (const tag of raw.sponsor_tags ?? []) if (tag.sponsor?.username) found.add(tag.sponsor.username);
    if (paid(post)) for (const mention of post.mentions) found.add(mention);
  }
  return [...found];
}

const paid = (post: Post) => (post.raw as { is_paid_partnership?: boolean } | null)?.is_paid_partnership === true;
const isReel = (post: Post) => post.product_type === 'clips' || (post.play_count ?? 0) > 0;
const yesNo = (value: boolean | null) => (value === null ? 'unknown' : value ? 'yes' : 'no');
const pct = (value: number | null) => (value === null ? 'unknown' : `${value}%`);
const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}…` : text);

/** Most frequent first, with counts: "#almaty (5), #food (3)". */
function ranked(values: string[], prefix: string): string[] {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value.toLowerCase(), (counts.get(value.toLowerCase()) ?? 0) + 1);
  return [...counts]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, 30)
    .map(([value, n]) => `${prefix}${value}${n > 1 ? ` (${n})` : ''}`);
}

const listLine = (label: string, items: string[]) => (items.length > 0 ? `${label}: ${items.join(', ')}` : '');
