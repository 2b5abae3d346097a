/**
 * Media objects as served by feed/user, feed/tag and tags sections (fields after feed_user.1,
 * feed_timeline.1 and clips_user.1). Big ids are bigints so they are written as bare numbers.
 * `comment_count` is omitted when zero, as in feed_user.1: a scraper has to default it.
 */
import { createHash } from 'node:crypto';
import { WORLD_EPOCH, type World, type WorldMedia, type WorldUser } from '../../world/index.js';
import { big, type JsonValue } from '../json.js';
import { shortUser } from './user.js';

const CDN = 'https://scontent-ams2-1.cdninstagram.com/v/t51.2885-15';

/** What a viewer sees for the like and play counts of a post whose owner hid them (instagrapi#2010, zeeschuimer#45). */
const HIDDEN_COUNT_STAND_IN = 3;

/** The widths Instagram serves a picture in (feed_timeline.1 / clips_user.1 in ig-samples), largest first. */
const LADDER = [1080, 750, 640, 480, 320, 240];
const SQUARE_CROPS = [1080, 750, 640, 480, 320, 240, 150];

/**
 * `image_versions2` as Instagram lists it: the picture at its own ratio in every width of the ladder up to its own,
 * then (for a picture that is not square) the square grid crops. The size is in the URL (`stp=…_s320x400`), as on
 * the real CDN, so the OpenAI emulator can bill an image by its size.
 */
export function imageVersions(pk: string, width: number, height: number): JsonValue {
  const sizes: Array<[number, number]> = [
    [width, height],
    ...LADDER.filter((w) => w < width).map((w): [number, number] => [w, Math.round((height * w) / width)]),
  ];
  if (width !== height) sizes.push(...SQUARE_CROPS.map((w): [number, number] => [w, w]));
  return {
    candidates: sizes.map(([w, h]) => ({ width: w, height: h, url: signedCdnUrl(`${CDN}/${pk}_n.jpg?stp=dst-jpg_e35_s${w}x${h}`, pk) })),
  };
}

/**
 * CDN URLs are signed as on today's Instagram: `oh` a signature and `oe` the expiry in hex unix seconds (here the
 * world's epoch + 3 days, fixed so bodies stay byte-identical). A stored URL stops working after `oe`.
 */
function signedCdnUrl(url: string, pk: string): string {
  const expiry = (WORLD_EPOCH + 3 * 86_400).toString(16).toUpperCase();
  const signature = createHash('sha256').update(`${url}:${expiry}`).digest('hex').slice(0, 32);
  return `${url}&_nc_ht=scontent-ams2-1.cdninstagram.com&_nc_cat=${Number(BigInt(pk) % 100n) + 1}&oh=00_${signature}&oe=${expiry}`;
}

/** One carousel child in four is a video (media_type 2 with its cover in image_versions2), as in 2026 feeds. */
const isVideoChild = (childPk: string) => BigInt(childPk) % 4n === 0n;

export function videoVersions(pk: string, width: number, height: number): JsonValue {
  return [101, 102].map((type, i) => ({
    type,
    width: Math.round(width / (i + 1)),
    height: Math.round(height / (i + 1)),
    url: `${CDN.replace('t51.2885-15', 't50.2886-16')}/${pk}_${type}.mp4`,
    id: `${pk.slice(-12)}${type}`,
  }));
}

export function locationObject(place: NonNullable<WorldMedia['location']>): JsonValue {
  return {
    pk: place.pk,
    short_name: place.city,
    facebook_places_id: place.pk + 100_000_000_000_000,
    external_source: 'facebook_places',
    name: place.name,
    address: place.address,
    city: place.city,
    has_viewer_saved: false,
    lng: place.lng,
    lat: place.lat,
    is_eligible_for_guides: true,
  };
}

function caption(m: WorldMedia, owner: WorldUser): JsonValue {
  if (m.captionText === null || m.captionPk === null) return null;
  return {
    pk: big(m.captionPk),
    user_id: owner.pk,
    text: m.captionText,
    type: 1,
    created_at: m.takenAt,
    created_at_utc: m.takenAt,
    content_type: 'comment',
    status: 'Active',
    bit_flags: 0,
    did_report_as_spam: false,
    share_enabled: false,
    user: shortUser(owner),
    is_covered: false,
    media_id: big(m.pk),
    private_reply_status: 0,
  };
}

function usertags(m: WorldMedia, world: World): JsonValue {
  if (m.usertags.length === 0) return undefined;
  return {
    in: m.usertags.map((tag, i) => {
      const tagged = world.user(tag.pk);
      return {
        user: tagged ? shortUser(tagged) : { pk: tag.pk, username: tag.username },
        position: [0.3 + i * 0.1, 0.6],
        start_time_in_video_in_sec: null,
        duration_in_video_in_sec: null,
      };
    }),
  };
}

function kindFields(m: WorldMedia): Record<string, JsonValue> {
  if (m.kind === 'carousel') {
    return {
      media_type: 8,
      product_type: 'carousel_container',
      carousel_media_count: m.childPks.length,
      carousel_media: m.childPks.map((childPk) => ({
        id: `${childPk}_${m.ownerPk}`,
        pk: big(childPk),
        media_type: isVideoChild(childPk) ? 2 : 1,
        image_versions2: imageVersions(childPk, 1080, 1350),
        ...(isVideoChild(childPk) ? { video_versions: videoVersions(childPk, 720, 900), video_duration: 9.5 } : {}),
        original_width: 1080,
        original_height: 1350,
        carousel_parent_id: m.id,
        commerciality_status: 'not_commercial',
      })),
    };
  }
  if (m.kind === 'reel') {
    return {
      media_type: 2,
      product_type: 'clips',
      image_versions2: imageVersions(m.pk, 1080, 1920),
      original_width: 1080,
      original_height: 1920,
      video_versions: videoVersions(m.pk, 720, 1280),
      video_duration: m.videoDuration,
      has_audio: true,
      play_count: m.countsHidden ? HIDDEN_COUNT_STAND_IN : m.playCount,
      ig_play_count: m.countsHidden ? HIDDEN_COUNT_STAND_IN : m.playCount,
      clips_metadata: { clips_creation_entry_point: 'clips', is_shared_to_fb: false, audio_type: 'original_sounds' },
    };
  }
  if (m.kind === 'video') {
    // A feed video that is not a reel: media_type 2 with product_type "feed", its plays as view_count.
    return {
      media_type: 2,
      product_type: 'feed',
      image_versions2: imageVersions(m.pk, 1080, 1350),
      original_width: 1080,
      original_height: 1350,
      video_versions: videoVersions(m.pk, 720, 900),
      video_duration: m.videoDuration,
      has_audio: true,
      view_count: m.countsHidden ? HIDDEN_COUNT_STAND_IN : m.playCount,
    };
  }
  return {
    media_type: 1,
    product_type: 'feed',
    image_versions2: imageVersions(m.pk, 1080, 1350),
    original_width: 1080,
    original_height: 1350,
  };
}

export function mediaItem(m: WorldMedia, world: World): Record<string, JsonValue> {
  const owner = world.user(m.ownerPk);
  if (!owner) throw new Error(`media ${m.pk} has no owner`);
  const author = m.authorPk === m.ownerPk ? owner : (world.user(m.authorPk) ?? owner);
  return {
    taken_at: m.takenAt,
    pk: big(m.pk),
    id: m.id,
    device_timestamp: m.takenAt * 1000 + Number(BigInt(m.pk) % 1000n),
    code: m.code,
    client_cache_key: `${Buffer.from(m.pk).toString('base64')}.2`,
    filter_type: 0,
    caption_is_edited: false,
    like_and_view_counts_disabled: m.countsHidden,
    is_paid_partnership: m.paidPartnership,
    sponsor_tags:
      m.sponsorTags.length > 0
        ? m.sponsorTags.map((t) => ({ sponsor: shortUser(world.user(t.pk) ?? owner), permission: true }))
        : undefined,
    comment_likes_enabled: true,
    comment_threading_enabled: true,
    has_more_comments: m.commentCount > 0,
    max_num_visible_preview_comments: 2,
    can_view_more_preview_comments: m.commentCount > 0,
    photo_of_you: false,
    // A collab post in the owner's feed: posted by its author, the owner a co-author (coauthor_producers below).
    user: shortUser(author),
    can_viewer_reshare: true,
    // Hidden counts: viewers get a stand-in, not the real count (zeeschuimer#45: most posts "had 3 likes").
    like_count: m.countsHidden ? HIDDEN_COUNT_STAND_IN : m.likeCount,
    has_liked: false,
    comment_count: m.commentCount > 0 ? m.commentCount : undefined,
    top_likers: [],
    ...kindFields(m),
    caption: caption(m, owner),
    location: m.location ? locationObject(m.location) : undefined,
    lat: m.location?.lat,
    lng: m.location?.lng,
    usertags: usertags(m, world),
    timeline_pinned_user_ids: m.pinned ? [owner.pk] : undefined,
    can_viewer_save: true,
    organic_tracking_token: Buffer.from(`{"version":5,"payload":{"media":"${m.pk}"}}`).toString('base64'),
    sharing_friction_info: { should_have_sharing_friction: false, bloks_app_url: null, sharing_friction_payload: null },
    coauthor_producers: author === owner ? [] : [shortUser(owner)],
    commerciality_status: 'not_commercial',
    deleted_reason: 0,
    integrity_review_decision: 'pending',
    music_metadata: null,
    is_in_profile_grid: false,
  };
}
