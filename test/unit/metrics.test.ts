import { describe, expect, it } from 'vitest';
import { profileStats } from '../../emulator/world/stats.js';
import type { WorldMedia, WorldUser } from '../../emulator/world/types.js';
import { er, erReels, erTrend, median, postsPerWeek, profileMetrics, type MetricPost } from '../../src/scraping/metrics.js';

const DAY = 86_400;
const T0 = 1_767_225_600;

/** Post i is i days old; likes and comments as given. */
const post = (daysOld: number, likes: number, comments = 0, extra: Partial<MetricPost> = {}): MetricPost => ({
  likes,
  comments,
  takenAt: T0 - daysOld * DAY,
  pinned: false,
  isReel: false,
  countsHidden: false,
  ...extra,
});

describe('median', () => {
  it('takes the middle value, or the mean of the two middle values', () => {
    expect(median([])).toBeNull();
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('orders numerically, not as text', () => {
    // As text, 10 < 9 < 100 … would put 10 in the middle; numerically it is 9.
    expect(median([100, 9, 10, 2, 1000])).toBe(10);
    expect(median([10, 9, 1000, 2, 100])).toBe(10);
    expect(median([9, 80, 700, 6000])).toBe(390);
    expect(median([0.5, 10, 2.25])).toBe(2.25);
  });
});

describe('er', () => {
  it('is the median of (likes + comments) / followers × 100 over non-pinned posts, 2 decimals', () => {
    // ERs: 1.5 %, 3 %, 2.25 % → median 2.25; the pinned post (90 %) is ignored.
    const posts = [post(1, 140, 10), post(2, 290, 10), post(3, 200, 25), post(9, 9000, 0, { pinned: true })];
    expect(er(posts, 10_000)).toBe(2.25);
  });

  it('rounds once, at the end', () => {
    // 1/3 % and 2/3 %: median 0.5 exactly; each rounded first would also give 0.5, so use an even count with a
    // sum that rounds differently: 0.333… and 0.336… → mean 0.3346… → 0.33 (rounded first: (0.33 + 0.34) / 2 = 0.335).
    expect(er([post(1, 1000), post(2, 1008)], 300_000)).toBe(0.33);
  });

  it('is null with zero (or unknown) followers', () => {
    expect(er([post(1, 10)], 0)).toBeNull();
    expect(er([post(1, 10)], null)).toBeNull();
  });

  it('is null when there are no posts, or every post is pinned', () => {
    expect(er([], 1000)).toBeNull();
    expect(er([post(1, 10, 0, { pinned: true }), post(2, 20, 0, { pinned: true })], 1000)).toBeNull();
  });
});

describe('erReels', () => {
  it('takes only non-pinned reels', () => {
    const posts = [
      post(1, 100, 0, { isReel: true }), // 10 %
      post(2, 300, 0, { isReel: true }), // 30 %
      post(3, 5, 0), // photo: ignored
      post(4, 900, 0, { isReel: true, pinned: true }), // pinned reel: ignored
    ];
    expect(erReels(posts, 1000)).toBe(20);
    expect(er(posts, 1000)).toBe(10);
  });

  it('equals er when there are only reels, and is null without reels', () => {
    const reels = [post(1, 10, 2, { isReel: true }), post(2, 30, 0, { isReel: true }), post(3, 50, 0, { isReel: true })];
    expect(erReels(reels, 1000)).toBe(3);
    expect(er(reels, 1000)).toBe(3);
    expect(erReels([post(1, 10)], 1000)).toBeNull();
  });
});

describe('erTrend', () => {
  it('is null with fewer than 6 non-pinned posts (pinned ones do not count)', () => {
    const five = [1, 2, 3, 4, 5].map((d) => post(d, 100));
    expect(erTrend(five, 1000)).toBeNull();
    expect(erTrend([...five, post(6, 100, 0, { pinned: true })], 1000)).toBeNull();
    expect(erTrend([...five, post(6, 100)], 1000)).toBe('stable');
  });

  it('compares the median ER of the newer half with the older half', () => {
    // Newer half (days 1–3): 20, 30, 25 → 25; older half (days 4–6): 10, 20, 15 → 15; ratio 1.67.
    const growing = [post(1, 20), post(2, 30), post(3, 25), post(4, 10), post(5, 20), post(6, 15)];
    expect(erTrend(growing, 100)).toBe('growing');
    // Reversed ages: ratio 0.6.
    const declining = [post(6, 20), post(5, 30), post(4, 25), post(3, 10), post(2, 20), post(1, 15)];
    expect(erTrend(declining, 100)).toBe('declining');
  });

  it('uses the bounds 1.15 and 0.85 exclusively', () => {
    // 128 followers keep every ER an exact binary fraction, so the ratios are exactly 1.15 / 0.85.
    const at = (newer: number) => [post(1, newer), post(2, newer), post(3, newer), post(4, 100), post(5, 100), post(6, 100)];
    expect(erTrend(at(115), 128)).toBe('stable');
    expect(erTrend(at(116), 128)).toBe('growing');
    expect(erTrend(at(85), 128)).toBe('stable');
    expect(erTrend(at(84), 128)).toBe('declining');
  });

  it('with an odd count, leaves the middle post out of both halves', () => {
    // 7 posts: newer = days 1–3 (10 each), older = days 5–7 (10 each); the middle (day 4) is huge but ignored.
    const posts = [post(1, 10), post(2, 10), post(3, 10), post(4, 1000), post(5, 10), post(6, 10), post(7, 10)];
    expect(erTrend(posts, 100)).toBe('stable');
    // Were the middle post in the newer half (4 vs 3), the newer median would be 10 still; in the older half it
    // would be too. So check a case where it matters: newer 10, 10, 10 | middle 40 | older 8, 8, 40.
    const odd = [post(1, 10), post(2, 10), post(3, 10), post(4, 40), post(5, 8), post(6, 8), post(7, 40)];
    // Middle excluded: 10 vs 8 → 1.25 → growing. (Middle in the older half: 10 vs 24 → declining.)
    expect(erTrend(odd, 100)).toBe('growing');
  });

  it('orders by time, not by input order, and is null without followers', () => {
    const shuffled = [post(5, 20), post(1, 30), post(6, 15), post(2, 25), post(4, 10), post(3, 20)];
    expect(erTrend(shuffled, 100)).toBe('growing');
    expect(erTrend(shuffled, 0)).toBeNull();
  });

  it('calls an older half without engagement growing when there is engagement now, else stable', () => {
    const zeros = [post(4, 0), post(5, 0), post(6, 0)];
    expect(erTrend([post(1, 5), post(2, 5), post(3, 5), ...zeros], 100)).toBe('growing');
    expect(erTrend([post(1, 0), post(2, 0), post(3, 0), ...zeros], 100)).toBe('stable');
  });
});

describe('postsPerWeek', () => {
  it('is (n − 1) / days between the oldest and newest non-pinned post × 7', () => {
    // 5 posts over 14 days: 4 / 14 × 7 = 2.
    expect(postsPerWeek([post(0, 1), post(3, 1), post(7, 1), post(10, 1), post(14, 1), post(400, 1, 0, { pinned: true })])).toBe(2);
    // 3 posts over 9 days: 2 / 9 × 7 = 1.555… → 1.56.
    expect(postsPerWeek([post(0, 1), post(4, 1), post(9, 1)])).toBe(1.56);
  });

  it('is null with fewer than 2 non-pinned posts, or all at the same instant', () => {
    expect(postsPerWeek([])).toBeNull();
    expect(postsPerWeek([post(1, 1), post(2, 1, 0, { pinned: true })])).toBeNull();
    expect(postsPerWeek([post(1, 1), post(1, 1)])).toBeNull();
  });
});

describe('profileMetrics', () => {
  it('gives all nulls (and no post left out for hidden counts) for a profile whose posts are all pinned', () => {
    const pinned = [1, 2, 3, 4, 5, 6, 7].map((d) => post(d, 50, 5, { pinned: true, isReel: d % 2 === 0 }));
    expect(profileMetrics(pinned, 1000)).toEqual({ er: null, er_reels: null, er_trend: null, posts_per_week: null, er_posts_hidden: 0 });
  });

  it('agrees with the emulator world’s independent computation, odd counts included', () => {
    for (const count of [5, 6, 7, 13, 20]) {
      const user = { pk: 1, username: 'u', followerCount: 2500 } as WorldUser;
      const media = Array.from({ length: count }, (_, i) => ({
        pk: String(i),
        kind: i % 3 === 0 ? 'reel' : 'photo',
        takenAt: T0 - i * 2.5 * DAY - i * 997,
        likeCount: 40 + ((i * 37) % 90),
        commentCount: (i * 7) % 11,
        pinned: i === 2,
        countsHidden: i === 4,
      })) as WorldMedia[];
      const world = { user: () => user, mediaOf: () => media };
      const expected = profileStats(world, 'u', 20)!;
      const posts = media.map((m) => ({
        likes: m.countsHidden ? 3 : m.likeCount,
        comments: m.commentCount,
        takenAt: m.takenAt,
        pinned: m.pinned,
        isReel: m.kind === 'reel',
        countsHidden: m.countsHidden,
      }));
      expect(profileMetrics(posts, 2500)).toEqual({
        er: expected.er,
        er_reels: expected.erReels,
        er_trend: expected.erTrend,
        posts_per_week: expected.postsPerWeek,
        er_posts_hidden: expected.hiddenCounts,
      });
    }
  });
});

describe('hidden like counts (issue 13)', () => {
  // like_and_view_counts_disabled: Instagram shows viewers a stand-in (3 likes), not the real count (zeeschuimer#45).
  it('leaves posts with hidden counts out of ER, ER of reels and the trend, counts them, and keeps them for the posting rate', () => {
    const shown = [post(1, 100), post(3, 110), post(5, 90), post(7, 100), post(9, 105), post(11, 95)];
    const hidden = [post(2, 3, 0, { countsHidden: true, isReel: true }), post(4, 3, 0, { countsHidden: true })];
    const metrics = profileMetrics([...shown, ...hidden], 1000);
    expect(metrics.er).toBe(er(shown, 1000));
    expect(metrics.er).toBe(10);
    expect(metrics.er_reels).toBeNull();
    expect(metrics.er_trend).toBe(erTrend(shown, 1000));
    expect(metrics.posts_per_week).toBe(postsPerWeek([...shown, ...hidden]));
    expect(metrics.er_posts_hidden).toBe(2);
  });
});
