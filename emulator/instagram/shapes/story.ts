/**
 * Highlights tray entries and highlight reels (reels_media). Sticker geometry follows the real
 * reel_mentions sample; story_locations / story_link_stickers use the field names dilame and
 * instagrapi read (README §3.4): `location{…}` and `story_link{url}`.
 */
import type { StoryItem, World, WorldHighlight, WorldUser } from '../../world/index.js';
import { big, type JsonValue } from '../json.js';
import { imageVersions, locationObject, videoVersions } from './media.js';
import { shortUser } from './user.js';

function geometry(index: number): Record<string, JsonValue> {
  return {
    x: 0.5,
    y: 0.3 + index * 0.15,
    z: index,
    width: 0.6,
    height: 0.08,
    rotation: 0.0,
    is_pinned: 0,
    is_hidden: 0,
    is_sticker: 1,
    is_fb_sticker: 0,
    start_time_ms: 0.0,
    end_time_ms: 0.0,
  };
}

function stickerId(item: StoryItem, n: number): string {
  return `${(BigInt(item.pk) % 10_000_000_000_000_000n) + BigInt(n)}`;
}

function storyItem(item: StoryItem, owner: WorldUser, world: World): Record<string, JsonValue> {
  let sticker = 0;
  const next = (): Record<string, JsonValue> => ({ ...geometry(sticker), id: stickerId(item, sticker++) });
  return {
    taken_at: item.takenAt,
    pk: big(item.pk),
    id: `${item.pk}_${owner.pk}`,
    code: undefined,
    device_timestamp: item.takenAt * 1_000_000 + 503_732,
    media_type: item.kind === 'video' ? 2 : 1,
    product_type: 'story',
    is_reel_media: true,
    expiring_at: item.takenAt + 86_400,
    user: shortUser(owner),
    caption: null,
    image_versions2: imageVersions(item.pk, 1080, 1920),
    original_width: 1080,
    original_height: 1920,
    video_versions: item.kind === 'video' ? videoVersions(item.pk, 720, 1280) : undefined,
    video_duration: item.kind === 'video' ? 14.966 : undefined,
    reel_mentions:
      item.mentions.length > 0
        ? item.mentions.map((tag) => {
            const user = world.user(tag.pk);
            return { ...next(), user: user ? shortUser(user) : { pk: tag.pk, username: tag.username } };
          })
        : undefined,
    story_locations: item.location ? [{ ...next(), location: locationObject(item.location) }] : undefined,
    story_link_stickers: item.linkUrl
      ? [
          {
            ...next(),
            story_link: {
              link_type: 'web',
              url: linkShim(item.linkUrl, item.pk),
              link_title: '',
              display_url: item.linkUrl.replace(/^https:\/\//, ''),
            },
          },
        ]
      : undefined,
    story_hashtags:
      item.hashtags.length > 0
        ? item.hashtags.map((name) => ({ ...next(), hashtag: { name, id: String(name.length * 1_000_003) } }))
        : undefined,
    can_reshare: true,
    can_reply: false,
    supports_reel_reactions: true,
  };
}

/** A `tray[]` entry of highlights/{pk}/highlights_tray/ (items are not embedded). */
export function trayEntry(h: WorldHighlight, owner: WorldUser): Record<string, JsonValue> {
  const latest = Math.max(...h.items.map((i) => i.takenAt));
  const cover = h.items[0];
  return {
    id: `highlight:${h.pk}`,
    strong_id__: `highlight:${h.pk}`,
    reel_type: 'highlight_reel',
    title: h.title,
    created_at: h.createdAt,
    is_pinned_highlight: false,
    cover_media: {
      crop_rect: [0, 0.21, 1, 0.77],
      media_id: cover ? `${cover.pk}_${owner.pk}` : null,
      cropped_image_version: {
        height: 150,
        scans_profile: '',
        url: cover ? `https://scontent-ams2-1.cdninstagram.com/v/t51.2885-15/${cover.pk}_cover.jpg` : '',
        width: 150,
      },
      full_image_version: null,
    },
    media_count: h.items.length,
    updated_timestamp: latest,
    latest_reel_media: latest,
    seen: null,
    can_reply: true,
    can_reshare: true,
    user: { ...shortUser(owner), pk: String(owner.pk) },
    pk: h.pk,
    items: [],
  };
}

/** `reels["highlight:<pk>"]` of feed/reels_media. */
export function highlightReel(h: WorldHighlight, owner: WorldUser, world: World): Record<string, JsonValue> {
  const latest = Math.max(...h.items.map((i) => i.takenAt));
  return {
    id: `highlight:${h.pk}`,
    strong_id__: `highlight:${h.pk}`,
    latest_reel_media: latest,
    seen: null,
    can_reply: true,
    can_reshare: true,
    reel_type: 'highlight_reel',
    title: h.title,
    created_at: h.createdAt,
    media_count: h.items.length,
    media_ids: h.items.map((i) => big(i.pk)),
    user: shortUser(owner),
    items: h.items.map((item) => storyItem(item, owner, world)),
    prefetch_count: 0,
  };
}

/**
 * A link sticker's URL as 2026 Instagram sends it: wrapped in its l.instagram.com redirect, the target in `u` and a
 * per-link token in `e` (instagram-2026.md: other scrapers decode this wrapper).
 */
function linkShim(url: string, itemPk: string): string {
  const token = Buffer.from(`AT${itemPk}`).toString('base64url');
  return `https://l.instagram.com/?u=${encodeURIComponent(url)}&e=${token}`;
}
