import type { IgApiClient } from 'instagram-private-api';
import type { InstagramSession } from '../accounts/session.js';
import type { AudienceUser } from './store.js';
import type { AudienceKind } from '../db/schema.js';

/**
 * One page of a follower or following list through instagram-private-api, resumable from a saved cursor.
 *
 * The library's feeds (`ig.feed.accountFollowers(pk)` / `accountFollowing(pk)`) keep their cursor in the feed
 * object: `nextMaxId` (the `next_max_id` of the last answer) and `moreAvailable`, both `@Expose`d, so
 * `feed.serialize()` gives them as JSON (`{"moreAvailable":true,"nextMaxId":"QVFD…"}`) and `feed.deserialize()`
 * puts them back on a fresh feed. A feed belongs to one client (one account), so every page builds a new feed on
 * the account in use and restores the saved state into it: after a re-login, on another account, or in another
 * process, the next request asks for exactly the page after the last one stored. A failed request leaves the
 * saved state untouched (the library sets it only from a successful answer), so a retry asks for the same page.
 */
export interface FollowPage {
  users: AudienceUser[];
  /** The feed's state after this page (feed.serialize()), to checkpoint. */
  state: string;
  /** The cursor of the next page (`next_max_id`), for humans reading the checkpoint; null at the end. */
  cursor: string | null;
  more: boolean;
}

export async function fetchFollowPage(
  session: InstagramSession,
  kind: AudienceKind,
  pk: string,
  state: string | null,
): Promise<FollowPage> {
  return session.call(kind, async (ig) => {
    const feed = openFeed(ig, kind, pk);
    if (state) feed.deserialize(state);
    const items = await feed.items();
    return {
      users: items.map(toAudienceUser),
      state: feed.serialize(),
      cursor: feed.nextMaxId ? String(feed.nextMaxId) : null,
      more: feed.isMoreAvailable(),
    };
  });
}

function openFeed(ig: IgApiClient, kind: AudienceKind, pk: string) {
  return kind === 'followers' ? ig.feed.accountFollowers(pk) : ig.feed.accountFollowing(pk);
}

/** The list entry's public fields. pks may arrive as strings (json-bigint) or numbers: stored as text either way. */
interface ListEntry {
  pk: number | string;
  username: string;
  full_name?: string;
  is_private?: boolean;
  is_verified?: boolean;
  profile_pic_url?: string;
  has_anonymous_profile_picture?: boolean;
}

function toAudienceUser(user: ListEntry): AudienceUser {
  return {
    platformId: String(user.pk),
    username: user.username,
    fullName: user.full_name || null,
    isPrivate: user.is_private ?? null,
    isVerified: user.is_verified ?? null,
    avatarUrl: user.profile_pic_url || null,
    anonymousPicture: user.has_anonymous_profile_picture ?? null,
  };
}
