import type { IgApiClient } from 'instagram-private-api';
import type { InstagramSession } from '../accounts/session.js';
import { isRaw, type Raw } from './parse.js';

/**
 * The Instagram reads scraping needs, one HTTP request per `session.call`, so that the pool's retry on another
 * account repeats exactly one request and `requests` counts what was sent. Paginated feeds are rebuilt per page
 * from their cursor (a feed object belongs to one client; the next page may go out on another account).
 */
export class InstagramReader {
  /** Data requests sent (logins and retries on other accounts excluded: the pool's ledger has those). */
  requests = 0;

  constructor(private readonly session: InstagramSession) {}

  get account(): string | undefined {
    return this.session.account;
  }

  private async call<T>(
    action: string,
    fn: Parameters<InstagramSession['call']>[1],
    options?: Parameters<InstagramSession['call']>[2],
  ): Promise<T> {
    const result = (await this.session.call(action, fn, options)) as T;
    this.requests++;
    return result;
  }

  /**
   * The full profile. By pk when we know it (a renamed account keeps its pk, so a re-scrape follows the rename),
   * otherwise by username. One request either way; `searchExact` is not used: it returns a short user without
   * the biography, and a second request would be needed. `confirmNotFound`: a 404 counts only when a second account
   * gets it too (for a blog we know exists; see InstagramSession.call).
   */
  async profile(target: { pk: string } | { username: string }, options: { confirmNotFound?: boolean } = {}): Promise<Raw> {
    const user =
      'pk' in target
        ? await this.call<unknown>('user_info', (ig) => ig.user.info(target.pk), options)
        : await this.call<unknown>('usernameinfo', (ig) => ig.user.usernameinfo(target.username), options);
    if (!isRaw(user)) throw new Error('Instagram answered a profile without a user object');
    return user;
  }

  /**
   * One page of feed/user (pinned first, as Instagram orders them), from `cursor` (the previous page's
   * `next_max_id`; none for the first). `next` is absent at the end.
   */
  async mediaPage(pk: string, cursor?: string): Promise<{ items: Raw[]; next?: string }> {
    const page = await this.call<unknown>('feed_user', (ig) => {
      const feed = ig.feed.user(pk);
      if (cursor) feed.deserialize(JSON.stringify({ nextMaxId: cursor }));
      return feed.request();
    });
    if (!isRaw(page)) return { items: [] };
    const next = page['next_max_id'];
    const more = page['more_available'] !== false;
    const cursorOut = typeof next === 'string' && next !== '' ? next : typeof next === 'number' ? String(next) : undefined;
    return { items: rawItems(page['items']), next: more ? cursorOut : undefined };
  }

  /**
   * highlights/{pk}/highlights_tray: titles, counts and covers, without the stories, read to the end of the tray.
   * 2026 trays come in pages (`cursor`, `has_fetched_all_remaining_highlights`; the next page is `?cursor=`): each
   * page is one request, and a cursor seen before ends the reading rather than looping.
   */
  async highlightsTray(pk: string): Promise<Raw[]> {
    const entries: Raw[] = [];
    const seen = new Set<string>();
    let cursor: string | undefined;
    for (;;) {
      const body = await this.call<unknown>('highlights_tray', (ig) =>
        cursor ? trayPage(ig, pk, cursor) : ig.highlights.highlightsTray(pk),
      );
      if (!isRaw(body)) return entries;
      entries.push(...rawItems(body['tray']));
      const next = typeof body['cursor'] === 'string' && body['cursor'] !== '' ? body['cursor'] : undefined;
      if (body['has_fetched_all_remaining_highlights'] === true || !next || seen.has(next)) return entries;
      seen.add(next);
      cursor = next;
    }
  }

  /** feed/reels_media for many highlights in one request: `reels` keyed by `highlight:<pk>`. */
  async highlightReels(reelIds: readonly string[]): Promise<Record<string, Raw>> {
    if (reelIds.length === 0) return {};
    const body = await this.call<unknown>('reels_media', (ig) => ig.feed.reelsMedia({ userIds: [...reelIds] }).request());
    const reels = isRaw(body) && isRaw(body['reels']) ? body['reels'] : {};
    return Object.fromEntries(Object.entries(reels).filter((entry): entry is [string, Raw] => isRaw(entry[1])));
  }

  /**
   * One page of a hashtag's posts through `tags/{tag}/sections/` (the route that works since feed/tag began to
   * answer 404 in mid-2023, dilame#1710). `feedState` is the library's serialized TagsFeed (next_max_id, next_page,
   * next_media_ids), kept in the task's checkpoint, so a resumed discover asks
   * for the next page, never for one it has. Posts come from every layout: `media_grid` medias, the clips of a
   * `one_by_two` section and the `fill_items` beside them (dilame's `items()` keeps only the grid).
   */
  async hashtagSectionsPage(tag: string, tab: HashtagTab, feedState?: string): Promise<{ items: Raw[]; next?: string }> {
    let next: string | undefined;
    const body = await this.call<unknown>(`tag_sections_${tab}`, async (ig) => {
      const feed = ig.feed.tags(tag, tab);
      if (feedState) feed.deserialize(feedState);
      const answer = await feed.request();
      next = feed.isMoreAvailable() ? feed.serialize() : undefined;
      return answer;
    });
    return { items: sectionMedias(body), next };
  }
}

export type HashtagTab = 'top' | 'recent';

/** Every media object of a sections answer, in page order, each once. */
export function sectionMedias(body: unknown): Raw[] {
  const sections = isRaw(body) && Array.isArray(body['sections']) ? body['sections'].filter(isRaw) : [];
  const found: Raw[] = [];
  const seen = new Set<unknown>();
  const take = (wrappers: unknown) => {
    for (const wrapper of Array.isArray(wrappers) ? wrappers : []) {
      const media = isRaw(wrapper) && isRaw(wrapper['media']) ? wrapper['media'] : undefined;
      const key = media?.['pk'] ?? media?.['id'];
      if (media && !seen.has(String(key))) {
        seen.add(String(key));
        found.push(media);
      }
    }
  };
  for (const section of sections) {
    const content = isRaw(section['layout_content']) ? section['layout_content'] : {};
    take(content['medias']);
    const oneByTwo = isRaw(content['one_by_two_item']) ? content['one_by_two_item'] : {};
    take(isRaw(oneByTwo['clips']) ? oneByTwo['clips']['items'] : undefined);
    take(content['fill_items']);
  }
  return found;
}

/** Feeds may hold `undefined` (and other non-object) entries: keep the media objects only. */
const rawItems = (value: unknown): Raw[] => (Array.isArray(value) ? value.filter(isRaw) : []);

/** A later page of the highlights tray: the library's own request (highlights.repository) with the page's cursor. */
async function trayPage(ig: IgApiClient, pk: string, cursor: string): Promise<unknown> {
  const { body } = await ig.request.send({
    url: `/api/v1/highlights/${pk}/highlights_tray/`,
    method: 'GET',
    qs: {
      supported_capabilities_new: JSON.stringify(ig.state.supportedCapabilities),
      phone_id: ig.state.phoneId,
      battery_level: ig.state.batteryLevel,
      is_charging: Number(ig.state.isCharging),
      will_sound_on: 0,
      cursor,
    },
  });
  return body;
}
