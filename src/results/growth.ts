/**
 * Growth history and its flags (README "Growth and ER for its size"), from a blog's snapshots. Pure functions.
 *
 * - Daily series: the last snapshot of each UTC day.
 * - Daily gain: the follower change from the previous day in the series, divided by the days between them.
 * - Spike: a day whose gain exceeds max(k × 1.4826 × MAD of the previous ≤ 30 daily gains, 0.5 % of followers),
 *   k = 5 (1.4826 × MAD estimates the standard deviation robustly; Leys et al. 2013). Needs ≥ 7 earlier gains.
 * - Seesaw (follow/unfollow): the following count rises by at least max(50, 10 % of it) and, within 7 days, falls
 *   back by at least 80 % of the rise.
 */
export interface Snapshot {
  taken_at: Date;
  follower_count: number | null;
  following_count: number | null;
  media_count: number | null;
}

export interface DayPoint {
  day: string;
  followers: number | null;
  following: number | null;
  media: number | null;
  follower_gain: number | null;
  spike: boolean;
}

export interface GrowthSettings {
  madMultiplier: number;
  minShareOfFollowers: number;
  window: number;
  minHistory: number;
  seesawMinRise: number;
  seesawMinRiseShare: number;
  seesawDays: number;
  seesawFallBack: number;
}

export const DEFAULT_GROWTH_SETTINGS: GrowthSettings = {
  madMultiplier: 5,
  minShareOfFollowers: 0.005,
  window: 30,
  minHistory: 7,
  seesawMinRise: 50,
  seesawMinRiseShare: 0.1,
  seesawDays: 7,
  seesawFallBack: 0.8,
};

export interface Seesaw {
  rise_day: string;
  fall_day: string;
  rise: number;
  fall: number;
}

const DAY_MS = 86_400_000;

function medianOf(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Median absolute deviation from the median. */
export function mad(values: readonly number[]): number {
  const m = medianOf(values);
  return medianOf(values.map((v) => Math.abs(v - m)));
}

export function dailySeries(snapshots: readonly Snapshot[], settings: GrowthSettings = DEFAULT_GROWTH_SETTINGS): DayPoint[] {
  const byDay = new Map<string, Snapshot>();
  for (const s of [...snapshots].sort((a, b) => a.taken_at.getTime() - b.taken_at.getTime()))
    byDay.set(s.taken_at.toISOString().slice(0, 10), s);
  const days = [...byDay.entries()];
  const gains: number[] = [];
  return days.map(([day, s], i) => {
    const prev = days[i - 1];
    let gain: number | null = null;
    if (prev && s.follower_count !== null && prev[1].follower_count !== null) {
      const span = Math.max(1, Math.round((Date.parse(day) - Date.parse(prev[0])) / DAY_MS));
      gain = (s.follower_count - prev[1].follower_count) / span;
    }
    let spike = false;
    if (gain !== null) {
      const history = gains.slice(-settings.window);
      if (history.length >= settings.minHistory) {
        const threshold = Math.max(settings.madMultiplier * 1.4826 * mad(history), settings.minShareOfFollowers * (s.follower_count ?? 0));
        spike = gain > threshold;
      }
      gains.push(gain);
    }
    return { day, followers: s.follower_count, following: s.following_count, media: s.media_count, follower_gain: gain, spike };
  });
}

export function seesaws(series: readonly DayPoint[], settings: GrowthSettings = DEFAULT_GROWTH_SETTINGS): Seesaw[] {
  const found: Seesaw[] = [];
  for (let i = 1; i < series.length; i++) {
    const before = series[i - 1]!.following;
    const peak = series[i]!.following;
    if (before === null || peak === null) continue;
    const rise = peak - before;
    if (rise < Math.max(settings.seesawMinRise, settings.seesawMinRiseShare * before)) continue;
    for (let j = i + 1; j < series.length; j++) {
      if (Date.parse(series[j]!.day) - Date.parse(series[i]!.day) > settings.seesawDays * DAY_MS) break;
      const after = series[j]!.following;
      if (after !== null && peak - after >= settings.seesawFallBack * rise) {
        found.push({ rise_day: series[i]!.day, fall_day: series[j]!.day, rise, fall: peak - after });
        i = j;
        break;
      }
    }
  }
  return found;
}
