import OpenAI, { toFile } from 'openai';
import pg from 'pg';
import { promptTokens as billedPrompt } from '../../emulator/openai/billing.js';
import { startOpenAiEmulator, type OpenAiEmulator } from '../../emulator/openai/index.js';
import { startInstagramEmulator } from '../../emulator/instagram/index.js';
import { insightsResponseFormat, parseInsights } from '../../src/ai/insights.js';
import { requestLine, type LineOptions } from '../../src/ai/jsonl.js';
import { DEFAULT_AI_PRICES, dollars, priceOf } from '../../src/ai/prices.js';
import { loadProfiles, type BlogProfile } from '../../src/ai/profiles.js';
import { configSchema } from '../../src/config.js';
import { openDatabase } from '../../src/db/database.js';
import { sleep } from '../../src/util/wait.js';
import { startDaemon } from '../lib/daemon.js';
import { log, type BenchPart, type PartOutput } from '../lib/part.js';
import { quick, round1 } from '../lib/stats.js';

/**
 * Issue 22: what AI analysis costs per creator, before and after its cuts, by one accounting — the OpenAI emulator's
 * usage, which bills like OpenAI (emulator/openai/billing.ts: o200k_base text, the vision guide's image rules by
 * model and size, reasoning by effort) — and OpenAI's Batch prices (src/ai/prices.ts).
 *
 * Creators are scraped from the Instagram emulator by a real daemon (no OpenAI key, so their ai_analysis tasks
 * wait), then each creator's real request line is built by src/ai/jsonl.ts twice per model:
 *  - before: what the daemon sent until issue 22 — each post's largest version (`candidates[0]`, as the scraper
 *    kept it), the HD avatar, no reasoning_effort (the model's medium), no max_completion_tokens;
 *  - after: today's defaults — the narrowest version ≥ 320 px, the 150-px avatar, AI_REASONING_EFFORT=minimal,
 *    AI_MAX_COMPLETION_TOKENS=4000.
 * Both batches go through the OpenAI emulator with the real SDK; the figures are the usage of its output lines.
 */

const MODELS = ['gpt-5-nano', 'gpt-5-mini', 'gpt-4o-mini'] as const;
const DEFAULT_MODEL = configSchema.parse({}).AI_MODEL;

type Variant = 'before' | 'after';

interface Measured {
  model: string;
  variant: Variant;
  lines: number;
  answered: number;
  valid: number;
  prompt: number;
  images: number;
  completion: number;
  reasoning: number;
  estimate: number;
  worstEstimateError: number;
  dollars: number;
}

export const aiPart: BenchPart = {
  name: 'ai_cost',
  title: 'AI cost per creator: before and after issue 22',
  script: 'npm run bench:ai',
  async run(url): Promise<PartOutput> {
    const creators = Number(process.env.BENCH_AI_CREATORS ?? (quick() ? 30 : 200));
    const profiles = await scrapeCreators(url, creators);
    const openai = await startOpenAiEmulator({ seed: 22, timings: { validatingMs: 20, inProgressMs: 100, finalizingMs: 20 } });
    const client = new OpenAI({ apiKey: 'bench', baseURL: openai.baseUrl, maxRetries: 0 });
    const database = openDatabase(url, { poolMax: 2 });
    const results: Measured[] = [];
    let categories: string[] = [];
    try {
      categories = (await database.db.selectFrom('categories').select('name').orderBy('name').execute()).map((c) => c.name);
      for (const model of MODELS) {
        for (const variant of ['before', 'after'] as const) {
          const measured = await measure(client, openai, model, variant, profiles, categories);
          log(JSON.stringify(measured));
          results.push(measured);
        }
      }
    } finally {
      await database.close();
      await openai.close();
    }
    return report(results, profiles.length, categories);
  },
};

/** Scrapes `count` emulated creators with a real daemon; the public ones' profiles as the prompt builder loads them. */
async function scrapeCreators(url: string, count: number): Promise<BlogProfile[]> {
  const ACCOUNTS = 2;
  const emulator = await startInstagramEmulator({ seed: 22, proxies: ACCOUNTS, world: { accounts: ACCOUNTS + 2, creators: count } });
  const accounts = emulator.world.accounts.filter((a) => a.loginBehaviour === 'ok').slice(0, ACCOUNTS);
  const usernames = emulator.world.creators.slice(0, count).map((c) => c.username);
  const daemon = await startDaemon(url, {
    WORKER_CONCURRENCY: String(ACCOUNTS),
    IG_PROXIES: emulator.proxyUrls.join('\n'),
    IG_ACCOUNTS: accounts.map((a) => `${a.username}:${a.password}`).join('\n'),
    ACCOUNT_REQUESTS_PER_HOUR: '10000',
    ACCOUNT_WARMUP_DAYS: '0',
    ACCOUNT_REQUEST_DELAY_MIN_MS: '1',
    ACCOUNT_REQUEST_DELAY_MAX_MS: '2',
  });
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    const response = await daemon.call('POST', '/api/tasks/scrape', { usernames });
    if (response.status !== 202) throw new Error(`POST /api/tasks/scrape → ${response.status} ${JSON.stringify(response.json)}`);
    const deadline = Date.now() + 20 * 60_000;
    for (;;) {
      const { rows } = await client.query<{ n: string }>(
        "SELECT count(*) AS n FROM scrape_tasks WHERE task_type = 'full_scrape' AND status IN ('done', 'failed')",
      );
      if (Number(rows[0]!.n) >= usernames.length) break;
      if (Date.now() > deadline) throw new Error(`only ${rows[0]!.n} of ${usernames.length} scrapes finished in time`);
      await sleep(200);
    }
  } finally {
    await daemon.stop();
    await client.end().catch(() => undefined);
    await emulator.close();
  }
  const database = openDatabase(url, { poolMax: 2 });
  try {
    const ids = await database.db.selectFrom('blogs').select('id').where('scrape_status', '=', 'analyzing').orderBy('id').execute();
    const loaded = await loadProfiles(
      database.db,
      ids.map((b) => b.id),
    );
    log(`scraped ${usernames.length} creators, ${loaded.size} public ones with an ai_analysis task`);
    return [...loaded.values()];
  } finally {
    await database.close();
  }
}

/** The profile as the scraper stored it before issue 22: posts' `candidates[0]` and the HD avatar, from the raw answers. */
function asBefore(profile: BlogProfile): BlogProfile {
  const rawUser = (profile.blog.raw ?? {}) as { hd_profile_pic_url_info?: { url?: string } };
  return {
    ...profile,
    blog: { ...profile.blog, avatar_url: rawUser.hd_profile_pic_url_info?.url ?? profile.blog.avatar_url },
    posts: profile.posts.map((post) => ({ ...post, thumbnail_url: largestVersion(post.raw) ?? post.thumbnail_url })),
  };
}

function largestVersion(raw: unknown): string | null {
  const item = (raw ?? {}) as { image_versions2?: { candidates?: { url?: string }[] }; carousel_media?: unknown[] };
  return item.image_versions2?.candidates?.[0]?.url ?? (item.carousel_media?.[0] ? largestVersion(item.carousel_media[0]) : null);
}

async function measure(
  client: OpenAI,
  openai: OpenAiEmulator,
  model: string,
  variant: Variant,
  profiles: BlogProfile[],
  categories: string[],
): Promise<Measured> {
  const defaults = configSchema.parse({});
  const options: LineOptions = {
    model,
    categories,
    responseFormat: insightsResponseFormat(categories),
    maxImages: defaults.AI_MAX_IMAGES,
    // Left out: the emulator's links expire 3 days after its world's epoch (2026-01-01), and both variants must see the same images.
    imagesUsableUntil: undefined,
    imageSize: { width: defaults.AI_IMAGE_WIDTH_PX, height: defaults.AI_IMAGE_HEIGHT_PX },
    reasoningEffort: variant === 'before' ? 'default' : defaults.AI_REASONING_EFFORT,
    maxCompletionTokens: variant === 'before' ? null : defaults.AI_MAX_COMPLETION_TOKENS,
  };
  const lines = profiles.map((p, i) => requestLine(variant === 'before' ? asBefore(p) : p, i + 1, options));
  const file = await client.files.create({
    file: await toFile(Buffer.from(lines.map((l) => `${l.json}\n`).join('')), `${model}-${variant}.jsonl`),
    purpose: 'batch',
  });
  const created = await client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
  let batch = created;
  while (!['completed', 'failed', 'expired', 'cancelled'].includes(batch.status)) {
    await sleep(50);
    batch = await client.batches.retrieve(created.id);
  }
  if (batch.status !== 'completed' || !batch.output_file_id) throw new Error(`batch ${batch.id} ended ${batch.status}`);
  const output = (await (await client.files.content(batch.output_file_id)).text())
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
  const m: Measured = {
    model,
    variant,
    lines: lines.length,
    answered: 0,
    valid: 0,
    prompt: 0,
    images: 0,
    completion: 0,
    reasoning: 0,
    estimate: 0,
    worstEstimateError: 0,
    dollars: 0,
  };
  for (const request of openai.batchRequests(batch.id)) m.images += billedPrompt(request.body as never).images;
  for (const out of output) {
    const usage = out.response?.body?.usage;
    if (!usage) continue;
    m.answered++;
    m.prompt += usage.prompt_tokens;
    m.completion += usage.completion_tokens;
    m.reasoning += usage.completion_tokens_details?.reasoning_tokens ?? 0;
    if (parseInsights(out.response.body.choices?.[0]?.message?.content, categories).ok) m.valid++;
    const line = lines.find((l) => l.customId === out.custom_id)!;
    m.estimate += line.tokens;
    m.worstEstimateError = Math.max(m.worstEstimateError, Math.abs(line.tokens - usage.prompt_tokens) / usage.prompt_tokens);
  }
  m.dollars = dollars(priceOf(model, DEFAULT_AI_PRICES)!, m.prompt, m.completion);
  return m;
}

function report(results: Measured[], creators: number, categories: string[]): PartOutput {
  const per = (m: Measured, n: number) => Math.round(n / m.answered);
  const per1000 = (m: Measured) => (1000 * m.dollars) / m.answered;
  const find = (model: string, variant: Variant) => results.find((r) => r.model === model && r.variant === variant)!;
  const rows = results.map((m) => {
    const before = find(m.model, 'before');
    return {
      model: m.model,
      variant: m.variant,
      'creators answered': `${m.answered} / ${m.lines}`,
      'valid AIInsights': m.valid,
      'input tokens / creator': per(m, m.prompt),
      'of which images': per(m, m.images),
      'output tokens / creator': per(m, m.completion),
      'of which reasoning': per(m, m.reasoning),
      '$ / 1,000 creators': Number(per1000(m).toFixed(4)),
      'after ÷ before': m.variant === 'after' ? `${round1((100 * per1000(m)) / per1000(before))} %` : '',
      'estimate vs billed input (worst line)': `${round1(100 * (m.estimate / m.prompt - 1))} % (${round1(100 * m.worstEstimateError)} %)`,
    };
  });
  const before = find(DEFAULT_MODEL, 'before');
  const after = find(DEFAULT_MODEL, 'after');
  const ratio = per1000(after) / per1000(before);
  const price = DEFAULT_AI_PRICES;
  return {
    summary: {
      creators: `${creators} public creators scraped from the Instagram emulator`,
      'default model': DEFAULT_MODEL,
      [`$ per 1,000 creators on ${DEFAULT_MODEL}, before`]: Number(per1000(before).toFixed(4)),
      [`$ per 1,000 creators on ${DEFAULT_MODEL}, after`]: Number(per1000(after).toFixed(4)),
      'after ÷ before (target ≤ 20 %)': `${round1(100 * ratio)} %`,
      'every answer a valid AIInsights, before and after': results.every((r) => r.valid === r.answered && r.answered === r.lines),
      'estimate within 10 % of the billed input on every line': results.every((r) => r.worstEstimateError <= 0.1),
    },
    tables: [
      {
        title: `Per creator, by the OpenAI emulator's usage; Batch prices of src/ai/prices.ts ($ per 1M input / output: ${MODELS.map((m) => `${m} ${price[m]!.input} / ${price[m]!.output}`).join(', ')})`,
        columns: Object.keys(rows[0]!),
        rows,
      },
    ],
    notes: [
      'Creators: scraped by a real daemon (src/main.ts, WORKER_CONCURRENCY 2, two emulated accounts) from the Instagram emulator (seed 22); their request lines are built by src/ai/jsonl.ts from the stored profiles, exactly as a batch build does.',
      "Before: each post's largest image version (`image_versions2.candidates[0]`, read from the stored raw answer, as the scraper kept it) and the HD avatar (`hd_profile_pic_url_info`), no reasoning_effort (the model reasons at its default, medium), no max_completion_tokens. After: the defaults — the narrowest version at least 320 px wide with the post's own ratio, the 150-px avatar, reasoning_effort minimal (gpt-5 family only; gpt-4o-mini takes none), max_completion_tokens 4000.",
      "Accounting: the usage of the OpenAI emulator's output lines (emulator/openai/billing.ts, sources in emulator/openai/README.md): text and schema with the o200k_base tokenizer, images by the vision guide's rule for the model and the size in the link (patches × 2.46 on gpt-5-nano, × 1.62 on gpt-5-mini; a fixed 2,833 per low-detail image on gpt-4o-mini, so smaller images do not lower its cost), reasoning tokens per effort (medium 1,536–3,072, minimal 0 — OpenAI publishes no figures; these follow issue 22's reports).",
      `Same schema before and after (${categories.length} categories; strict json_schema of src/ai/insights.ts): no field of the answer is dropped; "valid AIInsights" counts answers that parse against it.`,
      "The post images' links in the emulator expire 3 days after its world's epoch (2026-01-01); the daemon would leave such links out of a prompt (src/ai/prompt.ts), so the lines here are built without that check, the same for both variants.",
      'Estimate: the tokens src/ai/tokens.ts counts for a line (what AI_MAX_ENQUEUED_TOKENS and ai_batches.estimated_tokens use) against the prompt_tokens the emulator billed for it. Both follow the same OpenAI documents (written separately), so they agree exactly here; against the live API the image rules are what could differ.',
    ],
  };
}
