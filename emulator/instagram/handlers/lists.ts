/**
 * friendships/{pk}/followers|following (cursor pagination; `next_max_id` absent at the end, which
 * is how dilame detects the last page) and hashtag top posts (feed/tag and tags/{tag}/sections).
 */
import type { WorldMedia } from '../../world/index.js';
import { big, type JsonValue } from '../json.js';
import { mediaItem } from '../shapes/media.js';
import { listUser } from '../shapes/user.js';
import type { HandlerContext, IgResponse } from '../types.js';
import { visibleUser } from './feeds.js';
import { pageNotFound } from '../errors.js';
import { decodeCursor, encodeCursor, ok, str } from './respond.js';

function followList(ctx: HandlerContext, kind: 'followers' | 'following'): IgResponse {
  const user = visibleUser(ctx);
  if ('body' in user) return user;
  const world = ctx.state.world;
  const size = world.options.followPageSize;
  const maxId = ctx.req.query.get('max_id');
  // Followers use opaque cursors, following numeric offsets, as in the captures.
  const offset = kind === 'followers' ? decodeCursor('followers', maxId) : maxId ? Number(maxId) : 0;
  if (offset === null || !Number.isSafeInteger(offset)) return { status: 400, body: '{"message":"Invalid max_id","status":"fail"}' };
  const total = kind === 'followers' ? user.followerCount : user.followingCount;
  const users = kind === 'followers' ? world.followersPage(user, offset, size) : world.followingPage(user, offset, size);
  const more = offset + users.length < total;
  const next = offset + users.length;
  const era = world.options.era;
  return ok({
    // 2026 captures: string pks (pk, pk_id, id, strong_id__) and big_list true to the end; older ones: numbers.
    users: users.map((u) => listUser(u, era.listPkAsString)),
    big_list: era.listPkAsString ? true : more,
    page_size: size,
    next_max_id: more ? (kind === 'followers' ? encodeCursor('followers', next) : String(next)) : undefined,
    has_more: more,
    should_limit_list_of_followers: false,
    sections: null,
    global_blacklist_sample: null,
  });
}

export const followers = (ctx: HandlerContext): IgResponse => followList(ctx, 'followers');
export const following = (ctx: HandlerContext): IgResponse => followList(ctx, 'following');

function hashtagMedia(ctx: HandlerContext, pks: readonly string[]): WorldMedia[] {
  return pks.map((pk) => ctx.state.world.mediaByPk(pk)).filter((m): m is WorldMedia => m !== undefined);
}

/** GET feed/tag/{tag}/: dead since mid-2023 (404 like any unknown path, dilame#1710); served when the era says alive. */
export function tagFeed(ctx: HandlerContext): IgResponse {
  const world = ctx.state.world;
  if (world.options.era.tagFeed === 'dead') return pageNotFound();
  const tag = world.hashtag(decodeURIComponent(ctx.params['tag'] ?? ''));
  const top = tag ? hashtagMedia(ctx, tag.topMediaPks) : [];
  const offset = decodeCursor('tag', ctx.req.query.get('max_id')) ?? top.length;
  const page = top.slice(offset, offset + world.options.tagFeedPageSize);
  const more = offset + page.length < top.length;
  return ok({
    ranked_items: offset === 0 ? top.slice(0, 9).map((m) => mediaItem(m, world)) : undefined,
    items: page.map((m) => mediaItem(m, world)),
    num_results: page.length,
    next_max_id: more ? encodeCursor('tag', offset + page.length) : undefined,
    more_available: more,
    auto_load_more_enabled: true,
    story: null,
  });
}

function gridSections(ctx: HandlerContext, media: WorldMedia[]): JsonValue[] {
  const sections: JsonValue[] = [];
  for (let i = 0; i < media.length; i += 3) {
    sections.push({
      layout_type: 'media_grid',
      layout_content: { medias: media.slice(i, i + 3).map((m) => ({ media: mediaItem(m, ctx.state.world) })) },
      feed_type: 'media',
      explore_item_info: { num_columns: 3, total_num_columns: 3, aspect_ratio: 1, autoplay: false },
    });
  }
  return sections;
}

/** tags/{tag}/sections/: media_grid sections plus, as in real answers, a one_by_two clip section. */
export function tagSections(ctx: HandlerContext): IgResponse {
  const world = ctx.state.world;
  const tag = world.hashtag(decodeURIComponent(ctx.params['tag'] ?? ''));
  const tab = str(ctx.req.form['tab']) || 'top';
  let media = tag ? hashtagMedia(ctx, tag.topMediaPks) : [];
  if (tab === 'recent') media = [...media].sort((a, b) => b.takenAt - a.takenAt);
  if (tab === 'clips') media = media.filter((m) => m.kind === 'reel');
  const offset = decodeCursor('sections', str(ctx.req.form['max_id'])) ?? media.length;
  const page = media.slice(offset, offset + world.options.tagSectionsPageSize);
  const pageNumber = Math.floor(offset / world.options.tagSectionsPageSize);
  const extra = tag && tab === 'top' ? world.mediaByPk(tag.extraClipPks[pageNumber] ?? '') : undefined;
  // As in 2026 answers (instagrapi PR #2622), a one_by_two section carries a big clip and, beside it, `fill_items`:
  // two of the page's posts that then appear in no media_grid. A reader of media_grid sections alone misses them.
  const fill = extra ? page.slice(3, 5) : [];
  const sections = gridSections(ctx, extra ? [...page.slice(0, 3), ...page.slice(5)] : page);
  if (extra) {
    sections.splice(1, 0, {
      layout_type: 'one_by_two_right',
      layout_content: {
        one_by_two_item: { clips: { id: 'clips', items: [{ media: mediaItem(extra, world) }] } },
        fill_items: fill.map((m) => ({ media: mediaItem(m, world) })),
      },
      feed_type: 'clips',
    });
  }
  const more = offset + page.length < media.length;
  return ok({
    sections,
    more_available: more,
    next_page: more ? pageNumber + 1 : undefined,
    next_media_ids: more ? page.map((m) => big(m.pk)) : undefined,
    next_max_id: more ? encodeCursor('sections', offset + page.length) : undefined,
    auto_load_more_enabled: true,
  });
}
