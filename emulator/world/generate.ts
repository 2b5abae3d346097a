/**
 * Generation of the named part of the world: creators, brands and deleted usernames.
 */
import type { Rng } from './prng.js';
import { fillProfile, uniqueUsername } from './profiles.js';
import type { WorldOptions, WorldUser } from './types.js';
import { BRANDS, NICHES } from './vocab.js';

export interface NamedUsers {
  creators: WorldUser[];
  brands: WorldUser[];
  deleted: Array<{ pk: number; username: string }>;
}

const BRAND_NAMES = BRANDS.map(([username]) => username);

type CreatorShape = 'exact-followers' | 'private' | 'few-followers' | 'few-posts' | 'regular';

/** The first creators have fixed shapes so every case exists even in a tiny world. */
function shapeFor(rng: Rng, index: number, opts: WorldOptions): CreatorShape {
  const fixed: CreatorShape[] = ['exact-followers', 'private', 'few-followers', 'few-posts'];
  const forced = fixed[index];
  if (forced) return forced;
  if (rng.chance(opts.privateShare)) return 'private';
  if (rng.chance(opts.smallShare)) return rng.chance(0.5) ? 'few-followers' : 'few-posts';
  return 'regular';
}

function uniquePk(rng: Rng, taken: Set<number>): number {
  for (;;) {
    // Real user pks range from 8 to 11 digits; stay below the fan (4e10) and scraper (6e10) ranges.
    const pk = rng.chance(0.5) ? rng.int(100_000_000, 9_999_999_999) : rng.int(10_000_000_000, 39_999_999_999);
    if (!taken.has(pk)) {
      taken.add(pk);
      return pk;
    }
  }
}

function makeCreator(rng: Rng, index: number, opts: WorldOptions, takenNames: Set<string>, takenPks: Set<number>): WorldUser {
  const shape = shapeFor(rng, index, opts);
  const niche = NICHES[index % NICHES.length] ?? rng.pick(NICHES);
  const [minMedia, maxMedia] = opts.mediaPerCreator;
  const followerCount =
    shape === 'exact-followers'
      ? opts.followersAccountCount
      : shape === 'few-followers'
        ? rng.int(120, 990)
        : Math.round(rng.logUniform(1_200, 3_000_000));
  return fillProfile(
    {
      rng,
      pk: uniquePk(rng, takenPks),
      username: uniqueUsername(rng, takenNames, niche),
      kind: 'creator',
      followerCount,
      mediaCount: shape === 'few-posts' ? rng.int(2, 4) : rng.int(minMedia, maxMedia),
      isPrivate: shape === 'private',
    },
    niche,
    BRAND_NAMES,
  );
}

export function generateNamedUsers(root: Rng, opts: WorldOptions): NamedUsers {
  const takenNames = new Set<string>(BRAND_NAMES);
  const takenPks = new Set<number>();
  const creators = Array.from({ length: opts.creators }, (_, i) => makeCreator(root.derive('creator', i), i, opts, takenNames, takenPks));
  const brands = BRANDS.map(([username], i) => {
    const rng = root.derive('brand', i);
    return fillProfile(
      {
        rng,
        pk: uniquePk(rng, takenPks),
        username,
        kind: 'brand',
        followerCount: Math.round(rng.logUniform(50_000, 3_000_000)),
        mediaCount: rng.int(12, 20),
        isPrivate: false,
      },
      rng.pick(NICHES),
      BRAND_NAMES,
    );
  });
  const deleted = Array.from({ length: opts.deletedCount }, (_, i) => {
    const rng = root.derive('deleted', i);
    return { pk: uniquePk(rng, takenPks), username: uniqueUsername(rng, takenNames, null) };
  });
  return { creators, brands, deleted };
}
