import type { LogEntry } from '../../emulator/instagram/index.js';

/**
 * What the emulator saw of one list's pages: which cursors were answered (200) and which were refused, so a test can
 * prove that a resumed fetch asked for no page twice except the one its interruption cut.
 */
export interface PageLog {
  /** Every request of the list, in order. */
  requests: LogEntry[];
  /** Cursors answered with a page ('' = the first page). */
  answered: string[];
  /** Cursors answered more than once (pages fetched twice). */
  repeatedAnswers: string[];
  /** Requests that got no page (login_required, 429, a killed connection …). */
  refused: LogEntry[];
}

export function pageLog(log: readonly LogEntry[], kind: 'followers' | 'following', pk: number | string): PageLog {
  const requests = log.filter((e) => e.route === `friendships/{pk}/${kind}` && e.path.includes(`/friendships/${pk}/${kind}/`));
  const answered = requests.filter((e) => e.status === 200).map((e) => e.maxId ?? '');
  const seen = new Set<string>();
  const repeatedAnswers = answered.filter((cursor) => (seen.has(cursor) ? true : (seen.add(cursor), false)));
  return { requests, answered, repeatedAnswers, refused: requests.filter((e) => e.status !== 200) };
}
