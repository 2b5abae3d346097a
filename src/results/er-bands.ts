/**
 * ER for its size (README "Growth and ER for its size"): public ER bands per follower tier (Modash, see
 * /work/shared/research/creator-metrics.md), overridable with ER_BANDS. A blog's ER is "low" below its tier's low
 * threshold, "high" above the top of its tier's average range, "average" otherwise.
 */
export interface ErBand {
  /** Tier lower bound, followers (inclusive). */
  min: number;
  /** ER below this (percent) is low for the tier. */
  low: number;
  /** ER above this (percent) is high for the tier. */
  high: number;
}

export const DEFAULT_ER_BANDS: readonly ErBand[] = [
  { min: 1_000, low: 1.72, high: 4.42 },
  { min: 5_000, low: 0.62, high: 1.62 },
  { min: 10_000, low: 0.39, high: 1.11 },
  { min: 50_000, low: 0.32, high: 1.01 },
  { min: 100_000, low: 0.41, high: 1.14 },
  { min: 500_000, low: 0.46, high: 1.13 },
  { min: 1_000_000, low: 0.57, high: 1.27 },
];

export type ErVerdict = 'low' | 'average' | 'high';

/** The verdict for an ER (percent) at a follower count; null below the first tier or without ER. */
export function erForSize(
  er: number | null,
  followers: number | null,
  bands: readonly ErBand[] = DEFAULT_ER_BANDS,
): { tier_min: number; verdict: ErVerdict } | null {
  if (er === null || followers === null) return null;
  const band = [...bands].sort((a, b) => b.min - a.min).find((b) => followers >= b.min);
  if (!band) return null;
  return { tier_min: band.min, verdict: er < band.low ? 'low' : er > band.high ? 'high' : 'average' };
}
