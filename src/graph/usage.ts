import type { GraphPacing } from './settings.js';

/**
 * What the usage headers say: the highest call_count / total_cputime / total_time percentage of X-App-Usage and of
 * every X-Business-Use-Case-Usage entry, and the longest estimated_time_to_regain_access (minutes → ms). Meta sends
 * them once an app has made enough calls; absent headers mean "unknown", not 0 (they are then ignored).
 */
export interface GraphUsage {
  percent: number | null;
  regainMs: number;
}

export function parseUsage(headers: Headers): GraphUsage {
  const values: number[] = [];
  let regainMinutes = 0;
  const app = readJson(headers.get('x-app-usage'));
  if (app && typeof app === 'object') values.push(...percentages(app as Record<string, unknown>));
  const buc = readJson(headers.get('x-business-use-case-usage'));
  if (buc && typeof buc === 'object') {
    for (const entries of Object.values(buc as Record<string, unknown>)) {
      for (const entry of Array.isArray(entries) ? entries : []) {
        if (!entry || typeof entry !== 'object') continue;
        values.push(...percentages(entry as Record<string, unknown>));
        const regain = Number((entry as Record<string, unknown>)['estimated_time_to_regain_access']);
        if (Number.isFinite(regain)) regainMinutes = Math.max(regainMinutes, regain);
      }
    }
  }
  return { percent: values.length > 0 ? Math.max(...values) : null, regainMs: regainMinutes * 60_000 };
}

function percentages(entry: Record<string, unknown>): number[] {
  return ['call_count', 'total_cputime', 'total_time'].map((k) => Number(entry[k])).filter((v) => Number.isFinite(v));
}

function readJson(text: string | null): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

export type PaceDecision = { action: 'go' } | { action: 'delay'; ms: number } | { action: 'wait'; ms: number };

/**
 * Before the next call, given the last usage seen: go; pause (linear from the slowdown threshold to the stop one);
 * or wait — the caller defers its task without spending an attempt — until access is expected back.
 */
export function pace(usage: GraphUsage | null, pacing: GraphPacing): PaceDecision {
  if (!usage || usage.percent === null) return { action: 'go' };
  if (usage.percent >= pacing.stopPercent) return { action: 'wait', ms: usage.regainMs > 0 ? usage.regainMs : pacing.throttleWaitMs };
  if (usage.percent < pacing.slowdownPercent) return { action: 'go' };
  const span = Math.max(1, pacing.stopPercent - pacing.slowdownPercent);
  return { action: 'delay', ms: Math.round((pacing.maxDelayMs * (usage.percent - pacing.slowdownPercent)) / span) };
}
