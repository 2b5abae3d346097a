/**
 * feed/user/{pk}/ (cursor = the last item's id, like Instagram's), the highlights tray and
 * feed/reels_media/ for `highlight:<pk>` reels.
 */
import type { WorldUser } from '../../world/index.js';
import * as errors from '../errors.js';
import type { JsonValue } from '../json.js';
import { mediaItem } from '../shapes/media.js';
import { highlightReel, trayEntry } from '../shapes/story.js';
import { shortUser } from '../shapes/user.js';
import type { HandlerContext, IgResponse } from '../types.js';
import { decodeCursor, encodeCursor, ok, pkParam } from './respond.js';

/** The target user of a `{pk}` route, or the error Instagram gives for it. */
export function visibleUser(ctx: HandlerContext): WorldUser | IgResponse {
  const pk = pkParam(ctx.params['pk']);
  const user = pk === null ? undefined : ctx.state.world.user(pk);
  if (!user) return errors.userNotFound();
  if (user.isPrivate && ctx.session?.pk !== user.pk) return errors.notAuthorizedPrivate();
  return user;
}

const isResponse = (value: WorldUser | IgResponse): value is IgResponse => 'status' in value && 'body' in value;

export function userFeed(ctx: HandlerContext): IgResponse {
  const user = visibleUser(ctx);
  if (isResponse(user)) return user;
  const world = ctx.state.world;
  const media = world.mediaOf(user.pk);
  const maxId = ctx.req.query.get('max_id');
  const offset = maxId ? media.findIndex((m) => m.id === maxId) + 1 : 0;
  if (maxId && offset === 0) return ok({ items: [], num_results: 0, more_available: false, auto_load_more_enabled: true });
  const page = media.slice(offset, offset + world.options.feedPageSize);
  const more = offset + page.length < media.length;
  return ok({
    items: page.map((m) => mediaItem(m, world)),
    num_results: page.length,
    more_available: more,
    next_max_id: more ? page[page.length - 1]?.id : undefined,
    user: shortUser(user),
    auto_load_more_enabled: true,
  });
}

export function highlightsTray(ctx: HandlerContext): IgResponse {
  const user = visibleUser(ctx);
  if (isResponse(user)) return user;
  // Paginated as in 2026 captures: `cursor` (opaque "QVFD…") and has_fetched_all_remaining_highlights; the next page
  // is `?cursor=` (instagrapi-based tools page this way, `../shared/research/instagram-2026.md`).
  const all = ctx.state.world.highlightsOf(user.pk);
  const size = ctx.state.world.options.highlightsTrayPageSize;
  const offset = decodeCursor('tray', ctx.req.query.get('cursor'));
  if (offset === null) return { status: 400, body: '{"message":"Invalid cursor","status":"fail"}' };
  const page = all.slice(offset, offset + size);
  const more = offset + size < all.length;
  return ok({
    tray: page.map((h) => trayEntry(h, user)),
    show_empty_state: false,
    has_fetched_all_remaining_highlights: !more,
    cursor: more ? encodeCursor('tray', offset + size) : null,
    highlights_tray_type: 'DEFAULT',
  });
}

/** Reel ids from the signed `user_ids` (dilame, POST) or `reel_ids` (older GET clients). */
function requestedReelIds(ctx: HandlerContext): string[] {
  const fromBody = ctx.req.signed['user_ids'];
  if (Array.isArray(fromBody)) return fromBody.map(String);
  if (typeof fromBody === 'string') {
    try {
      const parsed: unknown = JSON.parse(fromBody);
      if (Array.isArray(parsed)) return parsed.map(String);
    } catch {
      return fromBody.split(',');
    }
  }
  return ctx.req.query.getAll('reel_ids');
}

export function reelsMedia(ctx: HandlerContext): IgResponse {
  const world = ctx.state.world;
  const reels: Record<string, JsonValue> = {};
  for (const reelId of requestedReelIds(ctx)) {
    const match = /^highlight:(\d+)$/.exec(reelId);
    const highlight = match?.[1] ? world.highlight(match[1]) : undefined;
    const owner = highlight ? world.user(highlight.ownerPk) : undefined;
    // Plain user ids ask for live stories: nobody in the world has one, so they are left out.
    if (highlight && owner && !owner.isPrivate) reels[reelId] = highlightReel(highlight, owner, world);
  }
  return ok({ reels, reels_media: Object.values(reels) });
}
