/**
 * Media generation for one user: posts spread over months, a photo/carousel/reel mix, engagement
 * proportional to followers (so ER means something), trends, pinned posts, captions with
 * brands, @mentions and #hashtags.
 */
import type { Rng } from './prng.js';
import { longId, mediaId, mediaPkAt, shortcodeFor } from './ids.js';
import type { MediaKind, UserTag, WorldMedia, WorldUser } from './types.js';
import { CAPTION_TEMPLATES, NICHES, PLACES } from './vocab.js';

const DAY = 86_400;

export interface MediaContext {
  epoch: number;
  brands: readonly UserTag[];
  creators: readonly UserTag[];
  hiddenCountsShare: number;
}

/** Returns media in feed order: pinned first (in pin order), then newest first. */
export function generateMedia(rng: Rng, owner: WorldUser, count: number, ctx: MediaContext): WorldMedia[] {
  const postsPerWeek = rng.float(0.7, 6);
  let takenAt = ctx.epoch - Math.round(rng.float(0.1, 4) * DAY);
  const media: WorldMedia[] = [];
  for (let i = 0; i < count; i++) {
    const kind = pickKind(rng);
    // Position 0 = newest. The trend factor makes newer posts stronger (growing) or weaker (declining).
    const age = count > 1 ? i / (count - 1) : 0;
    media.push(makeMedia(rng.derive('media', i), owner, kind, takenAt, trendFactor(owner, age), ctx));
    takenAt -= Math.max(600, Math.round((7 / postsPerWeek) * DAY * rng.float(0.3, 1.7)));
  }
  return pinSome(rng, media);
}

function pickKind(rng: Rng): MediaKind {
  const roll = rng.next();
  return roll < 0.3 ? 'reel' : roll < 0.55 ? 'carousel' : 'photo';
}

function trendFactor(owner: WorldUser, age: number): number {
  if (owner.trend === 'growing') return 1.5 - age; // newest 1.5×, oldest 0.5×
  if (owner.trend === 'declining') return 0.5 + age;
  return 1;
}

function makeMedia(rng: Rng, owner: WorldUser, kind: MediaKind, takenAt: number, trend: number, ctx: MediaContext): WorldMedia {
  const pk = mediaPkAt(takenAt, owner.pk % 8192, rng.int(0, 999));
  const engagement = owner.followerCount * (owner.baseErPercent / 100) * trend * rng.logNormal(0.3);
  const reelBoost = kind === 'reel' ? rng.float(1.0, 1.8) : 1;
  const total = Math.max(0, Math.round(engagement * reelBoost));
  // Comments are 1–6 % of interactions; small posts often have none, and then the field is omitted.
  const commentCount = Math.round(total * rng.float(0.01, 0.06));
  const caption = rng.chance(0.92) ? buildCaption(rng, owner, ctx) : null;
  const usertags = rng.chance(0.2) ? [rng.pick(ctx.brands)] : [];
  // Its own sub-seed: the draws above (and so every unsponsored post) are the same as without sponsorships.
  const deal = owner.kind === 'creator' ? sponsorship(rng.derive('sponsor'), ctx, caption) : null;
  const paidPartnership = deal?.mode === 'partnership' || giftCaption(caption);
  const sponsored = paidPartnership || deal !== null;
  const undisclosed = owner.kind === 'creator' && !sponsored ? undisclosedDeal(rng.derive('undisclosed', pk), ctx, caption) : null;
  // One photo in ten is a feed video instead (not a reel): its own sub-seed, so every other draw stays the same.
  const video = kind === 'photo' && rng.derive('feed-video', pk).chance(0.1);
  return {
    pk,
    id: mediaId(pk, owner.pk),
    code: shortcodeFor(pk),
    ownerPk: owner.pk,
    kind: video ? 'video' : kind,
    takenAt,
    likeCount: total - commentCount,
    commentCount,
    playCount:
      kind === 'reel'
        ? Math.round(owner.followerCount * rng.logUniform(0.3, 4) * trend) + total * 3
        : video
          ? Math.round(owner.followerCount * rng.derive('feed-video-views', pk).logUniform(0.1, 1.5)) + total * 2
          : null,
    captionText: caption?.text ?? null,
    captionPk: caption ? longId('17', rng.int(1, 2 ** 31) * 1000 + rng.int(0, 999)) : null,
    hashtags: caption?.hashtags ?? [],
    mentions: caption?.mentions ?? [],
    location: rng.chance(0.3) ? rng.pick(PLACES) : null,
    usertags,
    childPks: kind === 'carousel' ? Array.from({ length: rng.int(2, 6) }, (_, n) => (BigInt(pk) + BigInt(n + 1)).toString()) : [],
    pinned: false,
    videoDuration: kind === 'reel' ? Math.round(rng.float(6, 90) * 1000) / 1000 : video ? 42.5 : null,
    paidPartnership,
    sponsorTags: deal?.mode === 'partnership' ? [deal.brand] : [],
    sponsored,
    undisclosedBrand: undisclosed,
    // Its own sub-seed per post: every other draw is the same whatever the share.
    countsHidden: rng.derive('counts-hidden', pk).chance(ctx.hiddenCountsShare),
    authorPk: collabAuthor(rng.derive('collab', pk), owner, ctx),
    brands: sponsored
      ? [
          ...new Set([
            ...(deal?.mode === 'partnership' ? [deal.brand.username] : []),
            ...usertags.map((t) => t.username),
            ...(caption?.mentions ?? []),
          ]),
        ]
      : [],
  };
}

/** 8 % of a creator's posts are collabs another creator posted with the owner as co-author. */
function collabAuthor(rng: Rng, owner: WorldUser, ctx: MediaContext): number {
  const others = ctx.creators.filter((c) => c.pk !== owner.pk);
  return owner.kind === 'creator' && others.length > 0 && rng.chance(0.08) ? rng.pick(others).pk : owner.pk;
}

/** Ad hashtags the emulator's sponsored captions use (all in ig-scout's default AD_HASHTAGS). */
export const AD_TAGS = ['ad', 'sponsored', 'реклама', 'partner', 'спонсор'] as const;

/** "thanks @brand for the gift": the captions the emulator has always labelled as paid partnerships. */
function giftCaption(caption: Caption | null): boolean {
  return caption !== null && caption.mentions.length > 0 && /@\S+ (for the gift|за подарок|рахмет)/.test(caption.text);
}

/**
 * About 15 % of a creator's posts are a brand deal: either Instagram's paid-partnership header naming the brand,
 * or an ad hashtag and an @mention of the brand appended to the caption (which is mutated here).
 */
function sponsorship(rng: Rng, ctx: MediaContext, caption: Caption | null): { mode: 'partnership' | 'hashtag'; brand: UserTag } | null {
  if (!rng.chance(0.15) || ctx.brands.length === 0) return null;
  const brand = rng.pick(ctx.brands);
  if (caption === null || rng.chance(0.5)) return { mode: 'partnership', brand };
  const tag = rng.pick(AD_TAGS);
  caption.text = `${caption.text} #${tag} @${brand.username}`;
  if (!caption.hashtags.includes(tag)) caption.hashtags.push(tag);
  if (!caption.mentions.includes(brand.username)) caption.mentions.push(brand.username);
  return { mode: 'hashtag', brand };
}

/** Brand-deal wording without a disclosure, by the caption's script; {b} is the brand, {code} a discount code. */
const UNDISCLOSED_WORDING = {
  latin: ['partnered with @{b} ✨', 'use code {code} for 15% off at @{b}', 'link in bio 👆 @{b}'],
  cyrillic: ['в партнёрстве с @{b} ✨', 'промокод {code} на скидку 15% в @{b}', 'ссылка в шапке профиля 👆 @{b}'],
} as const;

/**
 * About 6 % of a creator's other captioned posts are an undisclosed brand deal: the wording above and the brand's
 * @mention are appended to the caption (mutated here), with no ad hashtag and no label. Returns the brand, or null.
 * Its own sub-seed, so every other post stays the same.
 */
function undisclosedDeal(rng: Rng, ctx: MediaContext, caption: Caption | null): string | null {
  if (caption === null || ctx.brands.length === 0 || !rng.chance(0.06)) return null;
  const brand = rng.pick(ctx.brands).username;
  const code = `${brand
    .replace(/[^a-z]/gi, '')
    .toUpperCase()
    .slice(0, 8)
    .padEnd(4, 'X')}15`;
  const wording = rng.pick(UNDISCLOSED_WORDING[/[\u0400-\u04FF]/.test(caption.text) ? 'cyrillic' : 'latin']);
  caption.text = `${caption.text} ${wording.replace('{b}', brand).replace('{code}', code)}`;
  if (!caption.mentions.includes(brand)) caption.mentions.push(brand);
  return brand;
}

interface Caption {
  text: string;
  hashtags: string[];
  mentions: string[];
}

function buildCaption(rng: Rng, owner: WorldUser, ctx: MediaContext): Caption {
  const niche = NICHES.find((n) => n.name === owner.niche) ?? rng.pick(NICHES);
  const lang = rng.chance(0.7) ? owner.bioLang : rng.pick(['ru', 'kk', 'en'] as const);
  const hashtags = rng.sample(niche.hashtags, rng.int(1, 3));
  const brand = rng.pick(ctx.brands).username;
  const friend = ctx.creators.length > 0 ? rng.pick(ctx.creators).username : brand;
  const template = rng.pick(CAPTION_TEMPLATES[lang]);
  const text = template
    .replace('{topic}', rng.pick(niche.topics[lang]))
    .replace('{brand}', brand)
    .replace('{friend}', friend)
    .replace('{tags}', hashtags.map((h) => `#${h}`).join(' '));
  const mentions = [brand, friend].filter((name) => text.includes(`@${name}`));
  // Some captions end with a contact e-mail, which is no @mention (issue 13). Its own sub-seed: the draws above
  // (and every other caption) stay the same.
  const contact = rng.derive('caption-email', text).chance(0.15) ? ` 📩 ${owner.username.replace(/[^a-z0-9]/g, '')}@mail.kz` : '';
  return { text: text + contact, hashtags, mentions: [...new Set(mentions)] };
}

/**
 * Marks 0–3 older, high-engagement posts as pinned and moves them to the front, as Instagram's
 * profile grid (and feed/user) shows them. Pinned posts are boosted so a scraper that forgets to
 * exclude them gets a visibly wrong ER.
 */
function pinSome(rng: Rng, media: WorldMedia[]): WorldMedia[] {
  const roll = rng.next();
  const pinCount = Math.min(roll < 0.35 ? 0 : roll < 0.65 ? 1 : roll < 0.85 ? 2 : 3, Math.floor(media.length / 3));
  if (pinCount === 0) return media;
  const olderHalf = media.slice(Math.floor(media.length / 2));
  const pinned = rng.sample(olderHalf, pinCount).map((m) => ({
    ...m,
    pinned: true,
    likeCount: Math.round(m.likeCount * rng.float(2.5, 4)) + 10,
    commentCount: Math.round(m.commentCount * rng.float(2, 3)) + 1,
  }));
  const pinnedPks = new Set(pinned.map((m) => m.pk));
  return [...pinned, ...media.filter((m) => !pinnedPks.has(m.pk))];
}
