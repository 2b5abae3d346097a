import type { Config } from '../config.js';
import { adHashtagSet, DEFAULT_AD_HASHTAGS } from './sponsorship.js';

/** The scraping knobs (SPEC §6), taken from the configuration once. */
export interface ScrapingSettings {
  /** How many of the latest media a full_scrape fetches (pinned ones included, as the feed returns them). */
  mediaCount: number;
  /** How many posts of a hashtag discover reads, per tab. */
  discoverTopPosts: number;
  /** The tabs of tags/{tag}/sections discover reads, in order (DISCOVER_TABS). */
  discoverTabs: readonly ('top' | 'recent')[];
  /** discover keeps authors with at least this many followers … */
  discoverMinFollowers: number;
  /** … and at least this many posts. */
  discoverMinPosts: number;
  /** max_attempts of the tasks scraping creates (ai_analysis, discovered full_scrape). */
  maxAttempts: number;
  /** Caption hashtags that mark a post sponsored (AD_HASHTAGS), lower case without #. */
  adHashtags: ReadonlySet<string>;
}

export const DEFAULT_SCRAPING_SETTINGS: ScrapingSettings = {
  mediaCount: 20,
  discoverTopPosts: 50,
  discoverTabs: ['top'],
  discoverMinFollowers: 1000,
  discoverMinPosts: 5,
  maxAttempts: 3,
  adHashtags: adHashtagSet(DEFAULT_AD_HASHTAGS),
};

export function scrapingSettings(config: Config): ScrapingSettings {
  return {
    mediaCount: config.SCRAPE_MEDIA_COUNT,
    discoverTopPosts: config.DISCOVER_TOP_POSTS,
    discoverTabs: config.DISCOVER_TABS,
    discoverMinFollowers: config.DISCOVER_MIN_FOLLOWERS,
    discoverMinPosts: config.DISCOVER_MIN_POSTS,
    maxAttempts: config.TASK_MAX_ATTEMPTS,
    adHashtags: adHashtagSet(config.AD_HASHTAGS),
  };
}
