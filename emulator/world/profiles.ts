/**
 * Profile generation: creators, brands, lazily generated fans and the scraping accounts.
 */
import type { Rng } from './prng.js';
import type { ScrapingAccount, Trend, WorldUser } from './types.js';
import { BIO_TEMPLATES, BRANDS, CITIES, FIRST_NAMES, LAST_NAMES, NICHES, type Lang, type Niche } from './vocab.js';

const LANGS: readonly Lang[] = ['ru', 'kk', 'en'];
const TRENDS: readonly Trend[] = ['growing', 'declining', 'stable', 'stable'];

/** Fan pks: 40e9 + slot * 4e6 + index, so a fan's pk says which list it came from and stays unique in it. */
export const FAN_PK_BASE = 40_000_000_000;
export const FAN_SLOT_SIZE = 4_000_000;
/** Following lists use indexes above this inside a slot, so they never collide with followers. */
export const FOLLOWING_INDEX_OFFSET = 3_500_000;

export interface ProfileSeed {
  rng: Rng;
  pk: number;
  username: string;
  kind: WorldUser['kind'];
  followerCount: number;
  mediaCount: number;
  isPrivate: boolean;
}

/** Typical ER falls with audience size: ~3 % at 1k followers, ~0.75 % at 1M (times noise). */
export function baseErFor(rng: Rng, followers: number): number {
  const er = 12 * Math.pow(Math.max(followers, 50), -0.2) * rng.logNormal(0.35);
  return Math.round(Math.min(er, 25) * 1000) / 1000;
}

export function fillProfile(seed: ProfileSeed, niche: Niche | null, brandPool: readonly string[]): WorldUser {
  const { rng } = seed;
  const lang = rng.pick(LANGS);
  // Full names agree with the username when it was built from name parts.
  const first = FIRST_NAMES.find(([, latin]) => seed.username.startsWith(latin)) ?? rng.pick(FIRST_NAMES);
  const last = LAST_NAMES.find(([, latin]) => seed.username.includes(latin)) ?? rng.pick(LAST_NAMES);
  const isBusiness = seed.kind === 'brand' || (seed.kind === 'creator' && rng.chance(0.55));
  const topic = niche ? rng.pick(niche.topics[lang]) : '';
  const email = `${seed.username.replace(/[^a-z0-9]/g, '')}@mail.kz`;
  const biography =
    seed.kind === 'fan' && rng.chance(0.6)
      ? ''
      : rng
          .pick(BIO_TEMPLATES[lang])
          .replace('{topic}', topic || 'life')
          .replace('{email}', email)
          .replace('{city}', rng.pick(CITIES))
          .replace('{brand}', rng.pick(brandPool));
  return {
    pk: seed.pk,
    username: seed.username,
    fullName: seed.kind === 'brand' ? brandFullName(seed.username) : `${first[0]} ${last[0]}`,
    kind: seed.kind,
    isPrivate: seed.isPrivate,
    isVerified: seed.followerCount > 500_000 || (seed.kind === 'brand' && rng.chance(0.7)),
    isBusiness,
    accountType: seed.kind === 'brand' ? 2 : isBusiness ? rng.pick([2, 3] as const) : 1,
    category: isBusiness && niche ? niche.category : null,
    biography,
    bioLang: lang,
    externalUrl: isBusiness && rng.chance(0.6) ? `https://taplink.cc/${seed.username.replace(/\./g, '')}` : '',
    publicEmail: isBusiness ? email : '',
    followerCount: seed.followerCount,
    followingCount: seed.kind === 'brand' ? rng.int(5, 120) : rng.int(80, 1800),
    mediaCount: seed.mediaCount,
    niche: niche?.name ?? null,
    trend: rng.pick(TRENDS),
    baseErPercent: baseErFor(rng, seed.followerCount),
  };
}

function brandFullName(username: string): string {
  return BRANDS.find(([u]) => u === username)?.[1] ?? username;
}

/** A username from name parts, unique within `taken`. */
export function uniqueUsername(rng: Rng, taken: Set<string>, niche: Niche | null): string {
  for (let attempt = 0; ; attempt++) {
    const first = rng.pick(FIRST_NAMES)[1];
    const last = rng.pick(LAST_NAMES)[1];
    const style = rng.int(0, 3);
    let name =
      style === 0
        ? `${first}.${last}`
        : style === 1
          ? `${first}_${niche?.name ?? 'blog'}`
          : style === 2
            ? `${first}.${niche?.name ?? 'life'}.kz`
            : `${last}_${first}`;
    if (attempt > 3) name += String(rng.int(1, 99));
    if (!taken.has(name)) {
      taken.add(name);
      return name;
    }
  }
}

/** Fan usernames end with `_<base36 of pk offset>`, so a username alone resolves back to the fan. */
export function fanUsername(rng: Rng, pk: number): string {
  const first = rng.pick(FIRST_NAMES)[1];
  const last = rng.pick(LAST_NAMES)[1];
  return `${first}.${last}_${(pk - FAN_PK_BASE).toString(36)}`;
}

export function fanPkFromUsername(username: string): number | null {
  const match = /^[a-z0-9]+\.[a-z]+_([0-9a-z]+)$/.exec(username);
  if (!match?.[1]) return null;
  const pk = FAN_PK_BASE + parseInt(match[1], 36);
  return Number.isSafeInteger(pk) ? pk : null;
}

export function fanPk(slot: number, index: number): number {
  return FAN_PK_BASE + slot * FAN_SLOT_SIZE + index;
}

export function isFanPk(pk: number): boolean {
  return pk >= FAN_PK_BASE && pk < FAN_PK_BASE + 2000 * FAN_SLOT_SIZE;
}

/**
 * Profile of a fan (a follower who is not a creator), derived from the pk alone. `botShare` is the chance that the
 * fan is a bot (the share of bots in the list it belongs to); the draw uses its own sub-seed, so real fans are the
 * same whatever the share.
 */
export function makeFan(root: Rng, pk: number, brandPool: readonly string[], botShare = 0): WorldUser {
  if (botShare > 0 && root.derive('bot', pk).chance(botShare)) return makeBot(root.derive('bot-profile', pk), pk);
  const rng = root.derive('fan', pk);
  const username = fanUsername(rng, pk);
  const isPrivate = rng.chance(0.35);
  const followers = Math.round(rng.logUniform(15, 900));
  // Most fans post about something, so their posts can show up among a hashtag's top posts.
  const niche = rng.chance(0.7) ? rng.pick(NICHES) : null;
  const seed = { rng, pk, username, kind: 'fan' as const, followerCount: followers, mediaCount: rng.int(1, 9), isPrivate };
  return fillProfile(seed, niche, brandPool);
}

/**
 * A bot follower, as audience-quality tools describe them: a random or digit-heavy username, no name, no picture
 * (mostly), no posts (mostly), no bio, few followers and thousands of followings.
 */
function makeBot(rng: Rng, pk: number): WorldUser {
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  const random = Array.from({ length: rng.int(6, 9) }, () => (rng.chance(0.45) ? String(rng.int(0, 9)) : rng.pick([...letters]))).join('');
  // The `_<base36>` tail keeps the username resolvable to the pk, as for every fan.
  const username = `${random}.${rng.pick(['x', 'q', 'z'])}_${(pk - FAN_PK_BASE).toString(36)}`;
  const followers = rng.int(0, 30);
  return {
    pk,
    username,
    fullName: '',
    kind: 'fan',
    isPrivate: rng.chance(0.2),
    isVerified: false,
    isBusiness: false,
    accountType: 1,
    category: null,
    biography: '',
    bioLang: 'en',
    externalUrl: '',
    publicEmail: '',
    followerCount: followers,
    followingCount: rng.int(1_600, 7_500),
    mediaCount: rng.chance(0.8) ? 0 : rng.int(1, 3),
    niche: null,
    trend: 'stable',
    baseErPercent: 0,
    anonymousPicture: rng.chance(0.85),
    bot: true,
  };
}

export function makeScrapingAccounts(root: Rng, count: number): ScrapingAccount[] {
  const accounts: ScrapingAccount[] = [];
  // The last three misbehave on login so every login failure has a ready-made account.
  const special = ['bad_password', 'two_factor', 'challenge'] as const;
  for (let i = 0; i < count; i++) {
    const rng = root.derive('account', i);
    const specialIndex = i - (count - special.length);
    accounts.push({
      pk: 60_000_000_000 + i * 7919,
      username: `scout.kz.${String(i + 1).padStart(2, '0')}`,
      password: `Pw-${rng.int(100000, 999999)}-${rng.pick(FIRST_NAMES)[1]}`,
      loginBehaviour: count > special.length && specialIndex >= 0 ? (special[specialIndex] ?? 'ok') : 'ok',
      twoFactorCode: String(rng.int(100000, 999999)),
    });
  }
  return accounts;
}

export function scraperAsUser(account: ScrapingAccount): WorldUser {
  return {
    pk: account.pk,
    username: account.username,
    fullName: 'Scout',
    kind: 'scraper',
    isPrivate: true,
    isVerified: false,
    isBusiness: false,
    accountType: 1,
    category: null,
    biography: '',
    bioLang: 'en',
    externalUrl: '',
    publicEmail: '',
    followerCount: 12,
    followingCount: 40,
    mediaCount: 0,
    niche: null,
    trend: 'stable',
    baseErPercent: 0,
  };
}
