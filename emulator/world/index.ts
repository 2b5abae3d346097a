/**
 * The deterministic world the Instagram emulator serves. `createWorld(options)` builds it from a
 * seed; the same seed always yields the same users, media, lists and hashtags. Tests use this
 * object directly to compute expected values (follower counts, ER, page counts).
 */
import { createRng, type Rng } from './prng.js';
import { generateNamedUsers } from './generate.js';
import { generateMedia, type MediaContext } from './media.js';
import { generateHighlights } from './highlights.js';
import { fallbackSlot, followersPage, followingPage, type FollowDirectory } from './follows.js';
import { buildHashtags } from './hashtags.js';
import { generateGrowth, GROWTH_DAYS, type DayCounts, type GrowthTruth } from './growth.js';
import {
  FAN_PK_BASE,
  FAN_SLOT_SIZE,
  FOLLOWING_INDEX_OFFSET,
  fanPk,
  fanPkFromUsername,
  isFanPk,
  makeFan,
  makeScrapingAccounts,
  scraperAsUser,
} from './profiles.js';
import type { Hashtag, ScrapingAccount, UserTag, WorldHighlight, WorldMedia, WorldOptions, WorldOptionsInput, WorldUser } from './types.js';
import { BRANDS } from './vocab.js';

export * from './types.js';
export { profileStats, type ProfileStats } from './stats.js';
export { audienceTruth, isSuspicious, type AudienceTruth } from './audience.js';
export { GROWTH_DAYS, type DayCounts, type GrowthScript, type GrowthTruth } from './growth.js';

/** 2026-01-01T00:00:00Z: the world's "now". Nothing in a response depends on the real clock. */
export const WORLD_EPOCH = 1_767_225_600;

export const DEFAULT_WORLD_OPTIONS: WorldOptions = {
  seed: 1,
  creators: 60,
  privateShare: 0.12,
  smallShare: 0.12,
  deletedCount: 5,
  mediaPerCreator: [20, 36],
  topPostsPerHashtag: 50,
  accounts: 8,
  feedPageSize: 12,
  followPageSize: 25,
  era: { tagFeed: 'dead', rateLimitStatus: 401, listPkAsString: true },
  tagFeedPageSize: 25,
  tagSectionsPageSize: 15,
  followersAccountCount: 1663,
  hiddenCountsShare: 0.05,
  highlightsTrayPageSize: 50,
  epoch: WORLD_EPOCH,
};

const BRAND_NAMES = BRANDS.map(([username]) => username);
/** At most this many similar accounts per answer. */
const SIMILAR_MAX = 12;

export class World {
  readonly options: WorldOptions;
  readonly creators: WorldUser[];
  readonly brands: WorldUser[];
  readonly accounts: ScrapingAccount[];
  readonly deleted: ReadonlyArray<{ pk: number; username: string }>;
  readonly hashtags: Hashtag[];
  /** The creator with exactly `followersAccountCount` followers. */
  readonly followersAccount: WorldUser;

  private readonly rng: Rng;
  private readonly named = new Map<number, WorldUser>();
  private readonly byUsername = new Map<string, WorldUser>();
  private readonly slots = new Map<number, number>();
  private readonly slotOwners: WorldUser[] = [];
  private readonly media = new Map<number, WorldMedia[]>();
  private readonly mediaIndex = new Map<string, WorldMedia>();
  private readonly highlights = new Map<number, WorldHighlight[]>();
  private readonly growth = new Map<number, GrowthTruth>();
  private readonly mediaContext: MediaContext;
  private readonly directory: FollowDirectory;

  constructor(partial: WorldOptionsInput = {}) {
    this.options = { ...DEFAULT_WORLD_OPTIONS, ...partial, era: { ...DEFAULT_WORLD_OPTIONS.era, ...partial.era } };
    this.rng = createRng(this.options.seed);
    const namedUsers = generateNamedUsers(this.rng, this.options);
    this.creators = namedUsers.creators;
    this.brands = namedUsers.brands;
    this.deleted = namedUsers.deleted;
    this.accounts = makeScrapingAccounts(this.rng, this.options.accounts);
    this.followersAccount = this.creators[0] as WorldUser;
    [...this.creators, ...this.brands].forEach((user, slot) => {
      this.named.set(user.pk, user);
      this.byUsername.set(user.username, user);
      this.slots.set(user.pk, slot);
      this.slotOwners[slot] = user;
    });
    for (const account of this.accounts) this.byUsername.set(account.username, scraperAsUser(account));
    const tag = (u: WorldUser): UserTag => ({ pk: u.pk, username: u.username });
    this.mediaContext = {
      epoch: this.options.epoch,
      brands: this.brands.map(tag),
      creators: this.creators.map(tag),
      hiddenCountsShare: this.options.hiddenCountsShare,
    };
    for (const user of this.named.values()) {
      this.storeMedia(user);
      const tagPool = [...this.mediaContext.brands, ...this.mediaContext.creators.filter((c) => c.pk !== user.pk)];
      this.highlights.set(user.pk, generateHighlights(this.rng.derive('highlights', user.pk), user, this.options.epoch, tagPool));
    }
    this.directory = {
      rng: this.rng,
      named: [...this.named.values()],
      slotOf: (user) => this.slots.get(user.pk) ?? fallbackSlot(user.pk),
      fan: (pk) => makeFan(this.rng, pk, BRAND_NAMES, this.botShareOfFan(pk)),
    };
    this.hashtags = buildHashtags({
      named: [...this.named.values()],
      mediaOf: (pk) => this.mediaOf(pk),
      fanForHashtag: (slot, index) => this.directory.fan(fanPk(slot, index)),
      epoch: this.options.epoch,
      topCount: this.options.topPostsPerHashtag,
    });
  }

  private storeMedia(user: WorldUser): WorldMedia[] {
    const list = generateMedia(this.rng.derive('media', user.pk), user, user.mediaCount, this.mediaContext);
    this.media.set(user.pk, list);
    for (const m of list) this.mediaIndex.set(m.pk, m);
    return list;
  }

  /**
   * The chance that a follower of `owner` is a bot (ground truth of audience quality): 2–50 %, fixed per account.
   * Only the follower lists of creators and brands hold bots; fans elsewhere (hashtags, following lists) are real.
   */
  botShareOf(owner: WorldUser): number {
    if (!this.slots.has(owner.pk)) return 0;
    return Math.round(this.rng.derive('bot-share', owner.pk).float(0.02, 0.5) * 1000) / 1000;
  }

  private botShareOfFan(pk: number): number {
    const offset = pk - FAN_PK_BASE;
    const owner = this.slotOwners[Math.floor(offset / FAN_SLOT_SIZE)];
    return owner && offset % FAN_SLOT_SIZE < FOLLOWING_INDEX_OFFSET ? this.botShareOf(owner) : 0;
  }

  /** Any user that exists now: creators, brands, scraping accounts, fans. Deleted users are undefined. */
  user(usernameOrPk: string | number): WorldUser | undefined {
    if (this.isDeleted(usernameOrPk)) return undefined;
    if (typeof usernameOrPk === 'number') {
      const found = this.named.get(usernameOrPk) ?? [...this.byUsername.values()].find((u) => u.pk === usernameOrPk);
      if (found) return found;
      return isFanPk(usernameOrPk) ? this.directory.fan(usernameOrPk) : undefined;
    }
    const name = usernameOrPk.toLowerCase();
    const named = this.byUsername.get(name);
    if (named) return named;
    const pk = fanPkFromUsername(name);
    const fan = pk !== null && isFanPk(pk) ? this.directory.fan(pk) : undefined;
    return fan?.username === name ? fan : undefined;
  }

  isDeleted(usernameOrPk: string | number): boolean {
    return this.deleted.some((d) => d.pk === usernameOrPk || d.username === String(usernameOrPk).toLowerCase());
  }

  /** Media in feed order (pinned first, then newest first). Fans' media are generated on first use. */
  mediaOf(pk: number): readonly WorldMedia[] {
    const cached = this.media.get(pk);
    if (cached) return cached;
    const user = isFanPk(pk) ? this.directory.fan(pk) : undefined;
    return user ? this.storeMedia(user) : [];
  }

  mediaByPk(pk: string): WorldMedia | undefined {
    return this.mediaIndex.get(pk);
  }

  highlightsOf(pk: number): readonly WorldHighlight[] {
    return this.highlights.get(pk) ?? [];
  }

  highlight(pk: string): WorldHighlight | undefined {
    for (const list of this.highlights.values()) {
      const found = list.find((h) => h.pk === pk);
      if (found) return found;
    }
    return undefined;
  }

  /**
   * Instagram's similar accounts of a creator (discover/chaining), the ground truth of lookalikes: the other creators
   * of its niche, in an order fixed by the seed, then two creators of other niches (Instagram's list is never purely
   * topical). Brands, fans and scraping accounts have none.
   */
  similarOf(user: WorldUser): WorldUser[] {
    if (user.kind !== 'creator' || !this.slots.has(user.pk)) return [];
    const rng = this.rng.derive('similar', user.pk);
    const others = this.creators.filter((c) => c.pk !== user.pk);
    const sameNiche = rng.shuffle(others.filter((c) => c.niche === user.niche));
    const otherNiches = rng.sample(
      others.filter((c) => c.niche !== user.niche),
      2,
    );
    return [...sameNiche.slice(0, SIMILAR_MAX - otherNiches.length), ...otherNiches];
  }

  /** The daily counts of a creator or brand over the last GROWTH_DAYS days, with its scripted spikes and seesaws. */
  growthOf(user: WorldUser): GrowthTruth | undefined {
    if (!this.slots.has(user.pk)) return undefined;
    let truth = this.growth.get(user.pk);
    if (!truth) {
      truth = generateGrowth(this.rng.derive('growth', user.pk), user);
      this.growth.set(user.pk, truth);
    }
    return truth;
  }

  /**
   * The profile counts on day `day` (0 … GROWTH_DAYS − 1, the last being today); null or any user without a series
   * (fans, scraping accounts): today's counts.
   */
  countsOn(user: WorldUser, day: number | null): DayCounts {
    const today = { followers: user.followerCount, following: user.followingCount, media: user.mediaCount };
    if (day === null) return today;
    return this.growthOf(user)?.days[Math.max(0, Math.min(GROWTH_DAYS - 1, day))] ?? today;
  }

  /** The UTC date (YYYY-MM-DD) of a day of the growth series: the last one is the world's epoch day. */
  dateOfDay(day: number): string {
    return new Date((this.options.epoch - (GROWTH_DAYS - 1 - day) * 86_400) * 1000).toISOString().slice(0, 10);
  }

  followersPage(owner: WorldUser, offset: number, size: number): WorldUser[] {
    return followersPage(this.directory, owner, offset, size);
  }

  followingPage(owner: WorldUser, offset: number, size: number): WorldUser[] {
    return followingPage(this.directory, owner, offset, size);
  }

  hashtag(name: string): Hashtag | undefined {
    return this.hashtags.find((h) => h.name === name.toLowerCase());
  }

  account(username: string): ScrapingAccount | undefined {
    return this.accounts.find((a) => a.username === username.toLowerCase());
  }

  /** Public creators with ≥ 1000 followers and ≥ 5 posts: what discover should keep. */
  qualifyingCreators(minFollowers = 1000, minPosts = 5): WorldUser[] {
    return this.creators.filter((c) => !c.isPrivate && c.followerCount >= minFollowers && c.mediaCount >= minPosts);
  }

  examples(): WorldExamples {
    return {
      usernames: this.qualifyingCreators()
        .slice(0, 8)
        .map((c) => c.username),
      privateUsernames: this.creators.filter((c) => c.isPrivate).map((c) => c.username),
      deletedUsernames: this.deleted.map((d) => d.username),
      hashtags: this.hashtags.filter((h) => h.topMediaPks.length >= 10).map((h) => h.name),
      followersUsername: this.followersAccount.username,
    };
  }
}

export interface WorldExamples {
  usernames: string[];
  privateUsernames: string[];
  deletedUsernames: string[];
  hashtags: string[];
  followersUsername: string;
}

export function createWorld(options: WorldOptionsInput = {}): World {
  return new World(options);
}
