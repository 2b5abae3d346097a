/**
 * The shape of the generated world. Everything is plain data, so tests can compute expected
 * values (counts, engagement rates, pages) from the same object the emulator serves.
 * Big ids (media, highlight, caption pks) are decimal strings; user pks are plain numbers (≤ 11 digits).
 */
import type { Lang, Place } from './vocab.js';

export type UserKind = 'creator' | 'brand' | 'fan' | 'scraper';
export type Trend = 'growing' | 'declining' | 'stable';

export interface WorldUser {
  pk: number;
  username: string;
  fullName: string;
  kind: UserKind;
  isPrivate: boolean;
  isVerified: boolean;
  isBusiness: boolean;
  /** 1 personal, 2 business, 3 creator. */
  accountType: 1 | 2 | 3;
  category: string | null;
  biography: string;
  bioLang: Lang;
  externalUrl: string;
  publicEmail: string;
  followerCount: number;
  followingCount: number;
  /** Equals `media.length` for users whose media the world materialises. */
  mediaCount: number;
  niche: string | null;
  trend: Trend;
  /** Average (likes + comments) / followers of this user's posts, in percent, before noise. */
  baseErPercent: number;
  /** No profile picture (`has_anonymous_profile_picture`); absent means it has one. */
  anonymousPicture?: boolean;
  /** A generated bot follower (ground truth of audience quality); absent means a real account. */
  bot?: boolean;
}

/** `video`: a feed video that is not a reel (media_type 2, product_type `feed`, `view_count`). */
export type MediaKind = 'photo' | 'carousel' | 'reel' | 'video';

export interface UserTag {
  pk: number;
  username: string;
}

export interface WorldMedia {
  pk: string;
  /** `<pk>_<ownerPk>`. */
  id: string;
  code: string;
  ownerPk: number;
  kind: MediaKind;
  takenAt: number;
  likeCount: number;
  commentCount: number;
  /** Reels only. */
  playCount: number | null;
  captionText: string | null;
  captionPk: string | null;
  hashtags: string[];
  mentions: string[];
  location: Place | null;
  usertags: UserTag[];
  /** Carousel children pks (carousels only). */
  childPks: string[];
  pinned: boolean;
  videoDuration: number | null;
  /** Instagram's paid-partnership label (`is_paid_partnership`). */
  paidPartnership: boolean;
  /** Brands in the paid-partnership header (`sponsor_tags`). */
  sponsorTags: UserTag[];
  /** Ground truth: a sponsored post (paid partnership, sponsor tag or an ad hashtag), and the brands it names. */
  sponsored: boolean;
  brands: string[];
  /**
   * Ground truth for the AI's verdict: the brand of an undisclosed deal — a caption that reads like one (a discount
   * code, "link in bio" with the brand's @mention, "partnered with") with no label and no ad hashtag — else null.
   * Such a post is not `sponsored` above (neither Instagram nor the hashtag rule marks it); the AI analysis should.
   */
  undisclosedBrand: string | null;
  /**
   * The owner hid its like and view counts (`like_and_view_counts_disabled`): viewers get a stand-in like count (3)
   * and play count, not the real ones (zeeschuimer#45, instagrapi#2010). likeCount / playCount stay the truth.
   */
  countsHidden: boolean;
  /**
   * Who posted it: the owner, or for a collab post another creator who invited the owner as co-author. It is then in
   * the owner's feed with `user` = that author and the owner in `coauthor_producers` (instagram-2026.md).
   */
  authorPk: number;
}

export interface StoryItem {
  pk: string;
  takenAt: number;
  kind: 'photo' | 'video';
  mentions: UserTag[];
  location: Place | null;
  linkUrl: string | null;
  hashtags: string[];
}

export interface WorldHighlight {
  /** 17-digit id; the reel id is `highlight:<pk>`. */
  pk: string;
  ownerPk: number;
  title: string;
  createdAt: number;
  items: StoryItem[];
}

export interface ScrapingAccount {
  pk: number;
  username: string;
  password: string;
  /** How the emulator answers its logins until changed at runtime. */
  loginBehaviour: LoginOutcome;
  /** Code accepted by accounts/two_factor_login/ when loginBehaviour is 'two_factor'. */
  twoFactorCode: string;
}

export type LoginOutcome = 'ok' | 'bad_password' | 'two_factor' | 'challenge' | 'invalid_user' | 'inactive' | 'sentry_block';

export interface EraOptions {
  /** GET feed/tag/{tag}/: 'dead' (404 Page not found since mid-2023) or 'alive' (the old top-posts feed). */
  tagFeed: 'dead' | 'alive';
  /** A rate limit on a data endpoint: 401 with require_login (2026, mostly) or 429 (older). */
  rateLimitStatus: 401 | 429;
  /** User pks in follower/following lists: strings (2026 captures) or numbers (older). */
  listPkAsString: boolean;
}

export interface WorldOptions {
  seed: number;
  creators: number;
  /** Share of creators whose profile is private. */
  privateShare: number;
  /** Share of creators with < 1000 followers or < 5 posts (fail the discover filter). */
  smallShare: number;
  /** Usernames that existed once and now 404. */
  deletedCount: number;
  mediaPerCreator: readonly [min: number, max: number];
  topPostsPerHashtag: number;
  accounts: number;
  feedPageSize: number;
  /** friendships/{pk}/followers|following page size: 25 in 2026 captures (200 in the library's era). */
  followPageSize: number;
  /**
   * How this Instagram answers, where today's differs from the library's era (2020–2022). Each defaults to 2026;
   * tests turn one back to see the old behaviour. Sources: emulator/README.md, "Instagram in 2026".
   */
  era: EraOptions;
  tagFeedPageSize: number;
  tagSectionsPageSize: number;
  /** The creator with an exact follower count, for pagination tests. */
  followersAccountCount: number;
  /** Share of posts whose owner hid the like and view counts (`like_and_view_counts_disabled`). */
  hiddenCountsShare: number;
  /**
   * highlights/{pk}/highlights_tray/ entries per page; the next page is asked for with `?cursor=` (2026 captures carry
   * a `cursor`; the page size Instagram uses is not documented, so the default keeps every tray of this world whole).
   */
  highlightsTrayPageSize: number;
  /** "Now" of the world, unix seconds: all timestamps are before it. */
  epoch: number;
}

/** What callers pass: any option, and any part of the era (the rest keeps the 2026 defaults). */
export type WorldOptionsInput = Partial<Omit<WorldOptions, 'era'>> & { era?: Partial<EraOptions> };

export interface Hashtag {
  name: string;
  /** Top posts, best first (media pks). */
  topMediaPks: string[];
  /** Extra clips shown only in one_by_two sections of tags/{tag}/sections/. */
  extraClipPks: string[];
  mediaCount: number;
}
