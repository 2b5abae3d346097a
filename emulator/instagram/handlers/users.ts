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

/**
 * discover/chaining/?target_id= — `ig.discover.chaining(targetId)`: the "Suggested for you" accounts of a profile.
 * The shape follows instagram-private-api's DiscoverRepositoryChainingResponse: `users[]` (short users with
 * `chaining_info.sources`, a Python-style list in a string — public captures, novitae/Tenai —,
 * `profile_chaining_secondary_label`, `social_context`), `is_backup`, `is_recommend_account`,
 * `available_recommend_count`. The list is the world's similar-accounts graph (`world.similarOf`).
 */
export const chaining: Handler = ({ req, state }) => {
  const pk = pkParam(req.query.get('target_id') ?? undefined);
  const target = pk === null ? undefined : state.world.user(pk);
  if (!target) return errors.userNotFound();
  const users = state.world.similarOf(target).map((u, i) => ({
    ...shortUser(u),
    chaining_info: { sources: `[${[47, 11, 20].slice(0, 1 + (i % 3)).join(', ')}]` },
    profile_chaining_secondary_label: '',
    social_context: u.isVerified ? 'Popular' : 'Suggested for you',
  }));
  return ok({ users, is_backup: false, is_recommend_account: false, available_recommend_count: users.length });
};
