/**
 * Highlights: saved stories grouped under a title. Their items carry what a scraper extracts:
 * @mentions (reel_mentions), places (story_locations) and links (story_link_stickers).
 */
import type { Rng } from './prng.js';
import { longId, mediaPkAt } from './ids.js';
import type { StoryItem, UserTag, WorldHighlight, WorldUser } from './types.js';
import { HIGHLIGHT_TITLES, LINK_DOMAINS, NICHES, PLACES } from './vocab.js';

const DAY = 86_400;

export function generateHighlights(rng: Rng, owner: WorldUser, epoch: number, tagPool: readonly UserTag[]): WorldHighlight[] {
  const count = owner.kind === 'fan' ? 0 : rng.int(0, 5);
  const titles = rng.sample(HIGHLIGHT_TITLES, count);
  return titles.map((title, index) => {
    const hrng = rng.derive('highlight', index);
    const createdAt = epoch - hrng.int(20, 400) * DAY;
    const items = Array.from({ length: hrng.int(2, 7) }, (_, n) =>
      makeStoryItem(hrng.derive('item', n), owner, createdAt - n * hrng.int(1, 9) * DAY, tagPool),
    );
    return { pk: longId('17', hrng.int(1, 2 ** 31) * 10000 + index), ownerPk: owner.pk, title, createdAt, items };
  });
}

function makeStoryItem(rng: Rng, owner: WorldUser, takenAt: number, tagPool: readonly UserTag[]): StoryItem {
  const niche = NICHES.find((n) => n.name === owner.niche);
  const mentionCount = rng.chance(0.55) ? rng.int(1, 2) : 0;
  return {
    pk: mediaPkAt(takenAt, owner.pk % 8192, rng.int(0, 999)),
    takenAt,
    kind: rng.chance(0.4) ? 'video' : 'photo',
    mentions: rng.sample(tagPool, mentionCount),
    location: rng.chance(0.35) ? rng.pick(PLACES) : null,
    linkUrl: rng.chance(0.3) ? `https://${rng.pick(LINK_DOMAINS)}/${owner.username.replace(/\./g, '')}-${rng.int(10, 999)}` : null,
    hashtags: niche && rng.chance(0.25) ? [rng.pick(niche.hashtags)] : [],
  };
}
