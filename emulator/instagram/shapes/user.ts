/**
 * User objects in the forms Instagram nests them: the full profile (users/{pk}/info,
 * usernameinfo, logged_in_user), the short form inside media and the list form of
 * followers/following. Field names and order follow user_info.1 / feed_user.1 / the follow lists.
 */
import type { World, WorldUser } from '../../world/index.js';
import { fbidFor } from '../../world/ids.js';
import type { JsonValue } from '../json.js';

const CDN = 'https://scontent-ams2-1.cdninstagram.com/v/t51.2885-19';

export function profilePicUrl(user: WorldUser, size = 150): string {
  return `${CDN}/s${size}x${size}/${user.pk}_${(user.pk % 997) + 1000}_n.jpg?_nc_ht=scontent-ams2-1.cdninstagram.com`;
}

const profilePicId = (user: WorldUser): string => `${3_000_000_000_000_000_000n + BigInt(user.pk)}_${user.pk}`;

/** The small user object inside media, captions and stories. */
export function shortUser(user: WorldUser): Record<string, JsonValue> {
  return {
    pk: user.pk,
    pk_id: String(user.pk),
    username: user.username,
    full_name: user.fullName,
    is_private: user.isPrivate,
    profile_pic_url: profilePicUrl(user),
    profile_pic_id: profilePicId(user),
    is_verified: user.isVerified,
    has_anonymous_profile_picture: user.anonymousPicture ?? false,
    account_badges: [],
    fbid_v2: BigInt(fbidFor(user.pk)),
  };
}

/** An entry of friendships/{pk}/followers|following. */
export function listUser(user: WorldUser, pkAsString = true): Record<string, JsonValue> {
  const ids: Record<string, JsonValue> = pkAsString
    ? { strong_id__: String(user.pk), pk: String(user.pk), pk_id: String(user.pk), id: String(user.pk) }
    : { pk: user.pk, pk_id: String(user.pk) };
  return {
    ...ids,
    username: user.username,
    full_name: user.fullName,
    is_private: user.isPrivate,
    profile_pic_id: profilePicId(user),
    profile_pic_url: profilePicUrl(user),
    is_verified: user.isVerified,
    has_anonymous_profile_picture: user.anonymousPicture ?? false,
    account_badges: [],
    latest_reel_media: 0,
    is_favorite: false,
  };
}

function bioEntities(bio: string): JsonValue[] {
  const entities: JsonValue[] = [];
  for (const match of bio.matchAll(/@([a-z0-9._]+)/g)) entities.push({ user: { id: '0', username: match[1] } });
  for (const match of bio.matchAll(/#([\p{L}0-9_]+)/gu)) entities.push({ hashtag: { id: '0', name: match[1] } });
  return entities;
}

/** The full profile of users/{pk}/info and usernameinfo. Private users keep all their counts. */
export function fullUser(user: WorldUser, world: World, day: number | null = null): Record<string, JsonValue> {
  const highlights = world.highlightsOf(user.pk);
  const media = world.mediaOf(user.pk);
  // The counts of the simulated day (world/growth.ts); today's unless a test moved the day.
  const counts = world.countsOn(user, day);
  return {
    ...shortUser(user),
    follow_friction_type: 0,
    media_count: counts.media,
    follower_count: counts.followers,
    following_count: counts.following,
    following_tag_count: 0,
    biography: user.biography,
    biography_with_entities: { raw_text: user.biography, entities: bioEntities(user.biography) },
    external_url: user.externalUrl,
    bio_links: user.externalUrl
      ? [{ link_id: BigInt(fbidFor(user.pk)) + 1n, url: user.externalUrl, lynx_url: '', link_type: 'external', title: '' }]
      : [],
    total_igtv_videos: 0,
    has_videos: media.some((m) => m.kind === 'reel'),
    total_clips_count: media.filter((m) => m.kind === 'reel').length,
    usertags_count: user.kind === 'fan' ? 0 : Math.round(user.followerCount / 900),
    is_favorite: false,
    hd_profile_pic_versions: [320, 640].map((size) => ({ width: size, height: size, url: profilePicUrl(user, size) })),
    hd_profile_pic_url_info: { url: profilePicUrl(user, 1080), width: 1080, height: 1080 },
    mutual_followers_count: 0,
    has_highlight_reels: highlights.length > 0,
    latest_reel_media: 0,
    is_business: user.isBusiness,
    account_type: user.accountType,
    category: user.category,
    should_show_category: user.category !== null,
    public_email: user.publicEmail,
    contact_phone_number: '',
    public_phone_number: '',
    public_phone_country_code: '',
    city_name: '',
    address_street: '',
    interop_messaging_user_fbid: BigInt(fbidFor(user.pk)) + 50_000_000n,
    is_memorialized: false,
    friendship_status: {
      following: false,
      followed_by: false,
      blocking: false,
      muting: false,
      is_private: user.isPrivate,
      incoming_request: false,
      outgoing_request: false,
      is_bestie: false,
      is_restricted: false,
    },
  };
}
