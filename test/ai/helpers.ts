import OpenAI from 'openai';
import type { AiContext } from '../../src/ai/context.js';
import { DEFAULT_AI_PRICES } from '../../src/ai/prices.js';
import type { AiSettings } from '../../src/ai/settings.js';
import { createLogger } from '../../src/logger.js';
import { enqueueTasks } from '../../src/queue/enqueue.js';
import type { OpenAiEmulator } from '../../emulator/openai/index.js';
import type { TestDatabase } from '../helpers/db.js';
import { RecordingAlerter } from '../helpers/pool.js';

/** SPEC §7 defaults, with a short lease so takeovers can be tested by moving the clock. */
export const testSettings = (overrides: Partial<AiSettings> = {}): AiSettings => ({
  model: 'gpt-5-nano',
  minTasks: 10,
  maxWaitMs: 2 * 3_600_000,
  maxTasksPerBuild: 5_000,
  maxImages: 10,
  imageSize: { width: 320, height: 400 },
  reasoningEffort: 'minimal',
  maxCompletionTokens: 4_000,
  prices: DEFAULT_AI_PRICES,
  maxRequestsPerFile: 50_000,
  maxFileBytes: 190 * 1024 * 1024,
  maxEnqueuedTokens: 0,
  staleMs: 26 * 3_600_000,
  leaseMs: 60_000,
  retryBaseMs: 5 * 60_000,
  retryFactor: 3,
  resubmitDelayMs: 15 * 60_000,
  ...overrides,
});

/** A clock the test moves: thresholds, leases and backoff are measured on it. */
export class TestClock {
  // Postgres stamps new tasks with microseconds, Date has milliseconds: a task created in the same millisecond as
  // a check would look due only in the next one. Running a second ahead keeps the tests deterministic.
  private offsetMs = 1_000;
  now = () => new Date(Date.now() + this.offsetMs);
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

export interface AiFixture {
  ctx: AiContext;
  alerts: RecordingAlerter;
  clock: TestClock;
  /** Another process on the same database: its own client, worker id and (shared) clock. */
  otherProcess(workerId?: string): AiContext;
}

export function aiFixture(testDb: TestDatabase, emulator: OpenAiEmulator, settings: Partial<AiSettings> = {}): AiFixture {
  const alerts = new RecordingAlerter();
  const clock = new TestClock();
  const logger = createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent', format: 'json' });
  const make = (workerId: string): AiContext => ({
    db: testDb.db,
    client: new OpenAI({ apiKey: 'test-key', baseURL: emulator.baseUrl, maxRetries: 0 }),
    logger,
    alerter: alerts,
    settings: testSettings(settings),
    workerId,
    now: clock.now,
  });
  return { ctx: make('worker-a'), alerts, clock, otherProcess: (id = 'worker-b') => make(id) };
}

const TOPICS = [
  {
    bio: 'Макияж и уход за кожей 💄 Алматы',
    caption: (i: number) => `Мой любимый макияж на каждый день, обзор косметики №${i} #beauty #макияж`,
    tags: ['beauty', 'макияж'],
  },
  {
    bio: 'Рецепты домашней кухни 🍲 Астана',
    caption: (i: number) => `Готовлю бешбармак по рецепту бабушки, часть ${i}. Очень вкусно! #рецепт #food`,
    tags: ['рецепт', 'food'],
  },
  {
    bio: 'Саяхат және демалыс ✈️ Шымкент',
    caption: (i: number) => `Бүгін біз Түркістанға саяхат жасадық, ${i}-күн. Керемет демалыс! #саяхат`,
    tags: ['саяхат', 'travel'],
  },
  {
    bio: 'Мама двоих детей 👶 семья и дети',
    caption: (i: number) => `Наши дети сегодня пошли в школу, день ${i}. Семья — это главное #мама #дети`,
    tags: ['мама', 'дети'],
  },
];

export interface SeededBlog {
  id: number;
  username: string;
  taskId: number;
  bio: string;
  captions: string[];
}

/** Scraped blogs as full_scrape leaves them: profile, 12 posts (3 reels), a highlight, `analyzing`, and an ai_analysis task. */
export async function seedScrapedBlogs(
  testDb: TestDatabase,
  count: number,
  options: { prefix?: string; posts?: number } = {},
): Promise<SeededBlog[]> {
  const seeded: SeededBlog[] = [];
  for (let n = 0; n < count; n++) {
    const topic = TOPICS[n % TOPICS.length]!;
    const username = `${options.prefix ?? 'blogger'}_${String(n).padStart(3, '0')}`;
    const blog = await testDb.db
      .insertInto('blogs')
      .values({
        username,
        platform_id: String(10_000_000_000_000_000n + BigInt(n)),
        full_name: `Blogger ${n}`,
        biography: topic.bio,
        // Links as Instagram's CDN writes them, with the version's size (the emulator bills images by it).
        avatar_url: `https://cdn.example.com/v/t51.2885-19/s150x150/${username}_avatar.jpg?_nc_ht=cdn.example.com`,
        follower_count: 12_000 + n * 100,
        following_count: 300,
        media_count: 240,
        is_verified: false,
        is_business: n % 2 === 0,
        er: 3.25,
        er_reels: 4.1,
        er_trend: 'stable',
        posts_per_week: 2.5,
        scrape_status: 'analyzing',
        scraped_at: new Date(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const captions = await seedPosts(testDb, blog.id, username, topic, options.posts ?? 12);
    await testDb.db
      .insertInto('blog_highlights')
      .values({
        blog_id: blog.id,
        platform_id: `h${blog.id}`,
        title: 'Отзывы',
        story_mentions: ['brand.kz'],
        story_locations: ['Almaty'],
        story_links: [],
      })
      .execute();
    const [task] = await enqueueTasks(
      testDb.db,
      [{ type: 'ai_analysis', priority: 3, blogId: blog.id, dedupeKey: `ai_analysis:${blog.id}`, payload: { blog_id: blog.id } }],
      { maxAttempts: 3 },
    );
    seeded.push({ id: blog.id, username, taskId: task!.task.id, bio: topic.bio, captions });
  }
  return seeded;
}

async function seedPosts(
  testDb: TestDatabase,
  blogId: number,
  username: string,
  topic: (typeof TOPICS)[number],
  count: number,
): Promise<string[]> {
  const captions = Array.from({ length: count }, (_, i) => topic.caption(i));
  await testDb.db
    .insertInto('blog_posts')
    .values(
      captions.map((caption, i) => ({
        blog_id: blogId,
        platform_id: `${blogId}_${i}`,
        caption_text: caption,
        hashtags: topic.tags,
        mentions: i === 0 ? ['brand.kz'] : [],
        like_count: 300 + i,
        comment_count: 20,
        play_count: i % 4 === 0 ? 15_000 + i : null,
        media_type: i % 4 === 0 ? 2 : 1,
        product_type: i % 4 === 0 ? 'clips' : 'feed',
        thumbnail_url: `https://cdn.example.com/v/t51.2885-15/${username}_${i}_n.jpg?stp=dst-jpg_e35_s320x400&_nc_ht=cdn.example.com`,
        taken_at: new Date(Date.now() - i * 86_400_000),
        raw: JSON.stringify(i === 0 ? { is_paid_partnership: true } : {}),
      })),
    )
    .execute();
  return captions;
}
