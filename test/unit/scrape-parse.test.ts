import { describe, expect, it } from 'vitest';
import {
  authorOf,
  captionHashtags,
  captionMentions,
  highlightFields,
  isReel,
  postFields,
  postImageUrl,
  profileFields,
  storyExtras,
  textEmails,
  unwrapLink,
} from '../../src/scraping/parse.js';
import { contactEmails } from '../../src/results/contacts.js';

describe('profileFields', () => {
  it('keeps the pk as text, takes the small avatar (the HD one only without it), and maps the business fields', () => {
    const fields = profileFields({
      pk: 48_123_456_789,
      username: 'Aruzhan.Bekova',
      full_name: 'Aruzhan',
      biography: '',
      follower_count: 12_000,
      following_count: 300,
      media_count: 40,
      is_verified: false,
      is_business: true,
      is_private: false,
      category: 'Blogger',
      external_url: 'https://x.kz',
      profile_pic_url: 'https://cdn/s150.jpg',
      hd_profile_pic_url_info: { url: 'https://cdn/s1080.jpg' },
    });
    expect(fields).toMatchObject({
      platform_id: '48123456789',
      username: 'aruzhan.bekova',
      biography: null,
      avatar_url: 'https://cdn/s150.jpg',
      follower_count: 12_000,
      is_business: true,
      business_category: 'Blogger',
      external_url: 'https://x.kz',
    });
    expect(profileFields({ pk: 1, hd_profile_pic_url_info: { url: 'https://cdn/s1080.jpg' } }).avatar_url).toBe('https://cdn/s1080.jpg');
  });

  it('refuses a profile without a pk', () => {
    expect(() => profileFields({ username: 'x' })).toThrow(/pk/);
  });
});

describe('postImageUrl', () => {
  // The versions Instagram lists for a 4:5 portrait post (feed_timeline.1 in ig-samples): its own ratio, then square crops.
  const portrait = [
    [1440, 1800],
    [1080, 1350],
    [750, 938],
    [640, 800],
    [480, 600],
    [320, 400],
    [240, 300],
    [1080, 1080],
    [750, 750],
    [640, 640],
    [480, 480],
    [320, 320],
    [240, 240],
    [150, 150],
  ].map(([width, height]) => ({ width, height, url: `https://cdn/p${width}x${height}.jpg` }));

  it('takes the narrowest version at least 320 px wide that shows the whole picture, not a square crop of it', () => {
    expect(postImageUrl(portrait)).toBe('https://cdn/p320x400.jpg');
    expect(postImageUrl([...portrait].reverse())).toBe('https://cdn/p320x400.jpg');
  });

  it('takes the widest when none is 320 px wide, and the first when the versions have no sizes', () => {
    expect(
      postImageUrl([
        { width: 540, height: 540, url: 'big' },
        { width: 160, height: 160, url: 'small' },
      ]),
    ).toBe('big');
    expect(
      postImageUrl([
        { width: 240, height: 427, url: 'a' },
        { width: 150, height: 267, url: 'b' },
      ]),
    ).toBe('a');
    expect(postImageUrl([{ url: 'first' }, { url: 'second' }])).toBe('first');
    expect(postImageUrl([])).toBeNull();
  });

  it('is what a post keeps as its thumbnail', () => {
    expect(postFields({ pk: 1, image_versions2: { candidates: portrait } }).thumbnail_url).toBe('https://cdn/p320x400.jpg');
  });
});

describe('postFields', () => {
  const owner = { pk: 123, username: 'owner' };

  it('reads a reel: big pk as text, missing comment_count as 0, plays, pinned by its owner', () => {
    const post = postFields({
      pk: '3512345678901234567',
      code: 'Cabc',
      taken_at: 1_767_000_000,
      media_type: 2,
      product_type: 'clips',
      like_count: 50,
      play_count: 9000,
      user: owner,
      timeline_pinned_user_ids: [123],
      caption: { text: 'Hi @brand.kz. #FoodBlogger #vkusno #foodblogger' },
      image_versions2: { candidates: [{ url: 'https://cdn/a.jpg' }] },
      location: { name: 'Almaty', lat: 43.2, lng: 76.9 },
    });
    expect(post).toMatchObject({
      platform_id: '3512345678901234567',
      comment_count: 0,
      like_count: 50,
      play_count: 9000,
      is_pinned: true,
      thumbnail_url: 'https://cdn/a.jpg',
      hashtags: ['foodblogger', 'vkusno'],
      mentions: ['brand.kz'],
      location_name: 'Almaty',
      location_lat: 43.2,
      taken_at: new Date(1_767_000_000_000),
    });
    expect(isReel(post)).toBe(true);
  });

  it('takes a carousel thumbnail from its first child, and is not pinned without the marker', () => {
    const post = postFields({
      pk: 1,
      media_type: 8,
      product_type: 'carousel_container',
      user: owner,
      carousel_media: [{ image_versions2: { candidates: [{ url: 'c1' }] } }],
    });
    expect(post).toMatchObject({
      platform_id: '1',
      thumbnail_url: 'c1',
      is_pinned: false,
      caption_text: null,
      hashtags: [],
      play_count: null,
    });
    expect(isReel(post)).toBe(false);
  });
});

describe('captions', () => {
  it('finds hashtags in any script and mentions without a trailing full stop', () => {
    expect(captionHashtags('Той #Алматы #qazaqstan_2025!')).toEqual(['алматы', 'qazaqstan_2025']);
    expect(captionMentions('thanks @brand.kz. and @Friend_1, @brand.kz')).toEqual(['brand.kz', 'friend_1']);
    expect(captionMentions(null)).toEqual([]);
  });

  // Issue 13: "collab@brand.com" mentioned @brand.com.
  it('reads an e-mail as an e-mail, never as an @mention', () => {
    const text = 'Collab 📩 Anna.K@gmail.com, bookings: hello@studio-9.io (@brand_x) thanks @friend.';
    expect(captionMentions(text)).toEqual(['brand_x', 'friend']);
    expect(textEmails(text)).toEqual(['anna.k@gmail.com', 'hello@studio-9.io']);
    expect(contactEmails({ biography: 'Blogger ✉️ anna.k@gmail.com', raw: { public_email: 'Team@Brand.kz' } })).toEqual([
      'anna.k@gmail.com',
      'team@brand.kz',
    ]);
    expect(contactEmails({ biography: null, raw: null })).toEqual([]);
  });
});

describe('2026 media shapes', () => {
  it('reads a feed video that is not a reel, and a carousel whose first child is a video, by their covers', () => {
    const video = postFields({
      pk: '5',
      media_type: 2,
      product_type: 'feed',
      view_count: 420,
      image_versions2: { candidates: [{ url: 'https://cdn/v.jpg?oh=00_ab&oe=695A1B80' }] },
    });
    expect(video).toMatchObject({
      play_count: 420,
      media_type: 2,
      product_type: 'feed',
      thumbnail_url: 'https://cdn/v.jpg?oh=00_ab&oe=695A1B80',
    });
    expect(isReel(video)).toBe(false);
    const carousel = postFields({
      pk: '6',
      media_type: 8,
      product_type: 'carousel_container',
      carousel_media: [
        {
          pk: '61',
          media_type: 2,
          video_versions: [{ url: 'https://cdn/c.mp4' }],
          image_versions2: { candidates: [{ url: 'https://cdn/c-cover.jpg' }] },
        },
      ],
    });
    expect(carousel).toMatchObject({ thumbnail_url: 'https://cdn/c-cover.jpg', play_count: null });
  });
});

describe('link stickers', () => {
  // 2026 stickers wrap their target in Instagram's redirect (instagram-2026.md): the link is the target.
  it('unwraps l.instagram.com links and leaves others alone', () => {
    const wrapped = `https://l.instagram.com/?u=${encodeURIComponent('https://shop.kz/sale?a=1&b=2')}&e=AT0abc`;
    expect(unwrapLink(wrapped)).toBe('https://shop.kz/sale?a=1&b=2');
    expect(storyExtras({ items: [{ story_link_stickers: [{ story_link: { url: wrapped } }] }] }).story_links).toEqual([
      'https://shop.kz/sale?a=1&b=2',
    ]);
    expect(unwrapLink('https://taplink.cc/anna')).toBe('https://taplink.cc/anna');
    expect(unwrapLink('https://l.instagram.com/?u=javascript%3Aalert(1)')).toBe('https://l.instagram.com/?u=javascript%3Aalert(1)');
    expect(unwrapLink('not a url')).toBe('not a url');
  });
});

describe('collab posts', () => {
  // In a creator's feed, a collab post another account posted: `user` is that author, the creator a co-author, and
  // timeline_pinned_user_ids names the creator when the creator pinned it (issue 13).
  it("attributes a collab post to its author and co-authors, and reads the feed owner's pin", () => {
    const item = {
      pk: '77',
      taken_at: 1_767_000_000,
      media_type: 1,
      user: { pk: '555', username: 'Partner.Brand' },
      coauthor_producers: [{ pk: '123', username: 'Owner' }],
      timeline_pinned_user_ids: ['123'],
    };
    expect(postFields(item, '123')).toMatchObject({ is_pinned: true, author_username: 'partner.brand', coauthors: ['owner'] });
    expect(postFields(item, '999').is_pinned).toBe(false);
    expect(postFields({ pk: '78', user: { pk: '123', username: 'owner' } }, '123')).toMatchObject({
      author_username: 'owner',
      coauthors: [],
    });
  });
});

describe('hidden like counts', () => {
  // like_and_view_counts_disabled: viewers get a stand-in (3), not the real count (zeeschuimer#45, instagrapi#2010).
  it('stores the like and play counts of a post whose owner hid them as unknown, and marks it', () => {
    const item = {
      pk: '9',
      taken_at: 1_767_000_000,
      media_type: 2,
      product_type: 'clips',
      like_and_view_counts_disabled: true,
      like_count: 3,
      play_count: 3,
      comment_count: 12,
    };
    expect(postFields(item)).toMatchObject({ like_count: null, play_count: null, comment_count: 12, counts_hidden: true });
    expect(postFields({ ...item, like_and_view_counts_disabled: false })).toMatchObject({
      like_count: 3,
      play_count: 3,
      counts_hidden: false,
    });
  });
});

describe('highlights', () => {
  it('reads the tray entry id and cover', () => {
    expect(
      highlightFields({
        id: 'highlight:17912345678901234',
        title: 'Travel',
        media_count: 4,
        cover_media: { cropped_image_version: { url: 'cov' } },
      }),
    ).toEqual({
      platform_id: '17912345678901234',
      reel_id: 'highlight:17912345678901234',
      title: 'Travel',
      media_count: 4,
      cover_url: 'cov',
    });
    expect(highlightFields({ title: 'no id' })).toBeNull();
  });

  it('collects mentions, locations and links (stickers and old story_cta), unique', () => {
    const extras = storyExtras({
      items: [
        {
          reel_mentions: [{ user: { username: 'Brand.KZ' } }],
          story_locations: [{ location: { name: 'Astana' } }],
          story_link_stickers: [{ story_link: { url: 'https://a' } }],
        },
        { reel_mentions: [{ user: { username: 'brand.kz' } }], story_cta: [{ links: [{ webUri: 'https://b' }] }] },
        {},
      ],
    });
    expect(extras).toEqual({ story_mentions: ['brand.kz'], story_locations: ['Astana'], story_links: ['https://a', 'https://b'] });
  });
});

describe('authorOf', () => {
  it('reads the author of a feed item and ignores undefined entries', () => {
    expect(authorOf({ user: { pk: 5, username: 'Ana', is_private: true } })).toEqual({ pk: '5', username: 'ana', is_private: true });
    expect(authorOf(undefined)).toBeNull();
    expect(authorOf({ user: { username: 'no pk' } })).toBeNull();
  });
});
