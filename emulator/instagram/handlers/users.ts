/** Profile endpoints: usernameinfo, info by pk, user search. */
import type { WorldUser } from '../../world/index.js';
import * as errors from '../errors.js';
import { fullUser, shortUser } from '../shapes/user.js';
import type { Handler } from '../types.js';
import { ok, pkParam } from './respond.js';

export const usernameInfo: Handler = ({ params, state }) => {
  const user = state.world.user(params['username'] ?? '');
  return user ? ok({ user: fullUser(user, state.world, state.day) }) : errors.userNotFound();
};

export const userInfo: Handler = ({ params, state }) => {
  const pk = pkParam(params['pk']);
  const user = pk === null ? undefined : state.world.user(pk);
  return user ? ok({ user: fullUser(user, state.world, state.day) }) : errors.userNotFound();
};

/** users/search/?q= — what `ig.user.searchExact` uses. Exact match first, then prefix matches. */
export const userSearch: Handler = ({ req, state }) => {
  const query = (req.query.get('q') ?? '').toLowerCase();
  const world = state.world;
  const exact = query ? world.user(query) : undefined;
  const prefix = [...world.creators, ...world.brands].filter((u) => query && u.username.startsWith(query) && u !== exact);
  const users = [exact, ...prefix].filter((u): u is WorldUser => u !== undefined).slice(0, 30);
  return ok({
    num_results: users.length,
    users: users.map((u) => ({ ...shortUser(u), follower_count: u.followerCount, latest_reel_media: 0 })),
    has_more: false,
    rank_token: `${world.options.seed}_${query}`,
  });
};
