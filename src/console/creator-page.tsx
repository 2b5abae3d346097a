import type { Hono } from 'hono';
import type { Child } from 'hono/jsx';
import { listsReadiness, relationQuery } from '../audience/mutuals.js';
import type { AppDeps } from '../http/context.js';
import { blogDetail, type BlogDetail } from '../results/blog-detail.js';
import type { ConsoleEnv } from './env.js';
import { Layout } from './layout.js';

const CHART_POSTS = 50;
const CHART_SNAPSHOTS = 400;
const MUTUALS_SHOWN = 30;

/**
 * One creator: profile, AI insights, what the highlights' stories mention, charts over the snapshots and the posts
 * (uPlot from its npm package, drawn by charts.js from the page's own JSON), the follower/following fetches and the
 * mutuals once both lists are done. Everything but the charts reads without JavaScript (the numbers are in tables).
 */
export function creatorPages(app: Hono<ConsoleEnv>, deps: AppDeps) {
  app.get('/ui/creators/:username', async (c) => {
    const username = c.req.param('username').trim().replace(/^@/, '').toLowerCase();
    const detail = await blogDetail(deps.db, username, {
      posts: CHART_POSTS,
      snapshots: CHART_SNAPSHOTS,
      growth: deps.growth?.settings,
      erBands: deps.growth?.erBands,
    });
    const csrf = c.get('session').csrf;
    if (!detail) {
      return c.html(
        <Layout title="No such creator" csrf={csrf} current="/ui">
          <p role="alert">
            No creator @{username} is stored. <a href="/ui">Back to the creators</a>
          </p>
        </Layout>,
        404,
      );
    }
    const { blog } = detail;
    const readiness = await listsReadiness(deps.db, blog.id);
    const mutuals = readiness.ready
      ? await Promise.all([
          relationQuery(deps.db, blog.id, 'mutual')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow(),
          relationQuery(deps.db, blog.id, 'mutual').select(['e.username']).orderBy('e.username').limit(MUTUALS_SHOWN).execute(),
        ])
      : undefined;
    return c.html(
      <Layout
        title={`@${blog.username}`}
        csrf={csrf}
        current="/ui"
        scripts={['/ui/assets/uplot.js', '/ui/assets/charts.js']}
        styles={['/ui/assets/uplot.css']}
      >
        <p>
          <a href="/ui">← Creators</a>
        </p>
        <section aria-labelledby="profile" class="cards">
          <div class="card">
            <h2 id="profile">Profile</h2>
            {blog.avatar_url && <img src={blog.avatar_url} alt={`avatar of @${blog.username}`} width="64" height="64" />}
            <dl class="facts">
              <Fact name="Name">{blog.full_name ?? '—'}</Fact>
              <Fact name="Bio">{blog.biography ?? '—'}</Fact>
              <Fact name="Followers">{num(blog.follower_count)}</Fact>
              <Fact name="Following">{num(blog.following_count)}</Fact>
              <Fact name="Posts">{num(blog.media_count)}</Fact>
              <Fact name="Category">{blog.business_category ?? '—'}</Fact>
              <Fact name="Link">
                <ExternalLink url={blog.external_url} />
              </Fact>
              <Fact name="Status">
                {blog.scrape_status}
                {blog.status_reason ? ` (${blog.status_reason})` : ''}
              </Fact>
              <Fact name="Source">{blog.source}</Fact>
              <Fact name="Last scraped">{when(blog.scraped_at)}</Fact>
            </dl>
          </div>
          <div class="card">
            <h2>Engagement</h2>
            <dl class="facts">
              <Fact name="ER">{pct(blog.er)}</Fact>
              <Fact name="ER (reels)">{pct(blog.er_reels)}</Fact>
              <Fact name="Trend">{blog.er_trend ?? '—'}</Fact>
              <Fact name="ER for size">{detail.growth.er_for_size?.verdict ?? '—'}</Fact>
              <Fact name="Posts/week">{blog.posts_per_week?.toFixed(1) ?? '—'}</Fact>
              <Fact name="Categories">
                {detail.categories.map((k) => (k.is_primary ? `${k.name} (primary)` : k.name)).join(', ') || '—'}
              </Fact>
              <Fact name="Sponsored posts">{`${detail.sponsorship.sponsored_posts ?? 0} of ${(detail.sponsorship.sponsored_posts ?? 0) + (detail.sponsorship.organic_posts ?? 0)}`}</Fact>
              <Fact name="Growth spikes">{detail.growth.spikes.join(', ') || 'none'}</Fact>
            </dl>
          </div>
          <AudienceCard
            detail={detail}
            readiness={readiness}
            mutuals={mutuals && { total: Number(mutuals[0].n), names: mutuals[1].map((m) => m.username) }}
          />
        </section>

        <h2>Charts</h2>
        <div
          id="chart-growth"
          class="chart"
          role="img"
          aria-label="Followers and ER over the snapshots (the table below has the numbers)"
        ></div>
        <div
          id="chart-posts"
          class="chart"
          role="img"
          aria-label="Likes, comments and plays per post, pinned posts marked (the table below has the numbers)"
        ></div>
        <script type="application/json" id="chart-data" dangerouslySetInnerHTML={{ __html: safeJson(chartData(detail)) }}></script>

        <h2>AI insights</h2>
        {blog.ai_insights ? <Insights value={blog.ai_insights} /> : <p class="muted">Not analysed yet.</p>}
        {blog.ai_confidence !== null && (
          <p>
            Confidence {blog.ai_confidence.toFixed(2)}, {when(blog.ai_analyzed_at)}
          </p>
        )}

        <h2>Highlights</h2>
        {detail.highlights.length === 0 ? (
          <p class="muted">No highlights stored.</p>
        ) : (
          <div class="scroll">
            <table>
              <thead>
                <tr>
                  <th scope="col">Highlight</th>
                  <th scope="col">Stories</th>
                  <th scope="col">Mentions</th>
                  <th scope="col">Locations</th>
                  <th scope="col">Links</th>
                </tr>
              </thead>
              <tbody>
                {detail.highlights.map((h) => (
                  <tr>
                    <td>{h.title ?? h.platform_id}</td>
                    <td>{h.media_count ?? '—'}</td>
                    <td>{h.story_mentions.map((m) => `@${m}`).join(', ') || '—'}</td>
                    <td>{h.story_locations.join(', ') || '—'}</td>
                    <td>
                      {h.story_links.map((l) => (
                        <div>
                          <ExternalLink url={l} />
                        </div>
                      ))}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}

        <h2>Snapshots</h2>
        <div class="scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">Taken</th>
                <th scope="col">Followers</th>
                <th scope="col">Following</th>
                <th scope="col">ER %</th>
                <th scope="col">Posts/week</th>
              </tr>
            </thead>
            <tbody>
              {detail.snapshots.slice(0, 30).map((s) => (
                <tr>
                  <td>{when(s.taken_at)}</td>
                  <td>{num(s.follower_count)}</td>
                  <td>{num(s.following_count)}</td>
                  <td>{pct(s.er)}</td>
                  <td>{s.posts_per_week?.toFixed(1) ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>

        <h2>Posts</h2>
        <div class="scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">Posted</th>
                <th scope="col">Likes</th>
                <th scope="col">Comments</th>
                <th scope="col">Plays</th>
                <th scope="col">Pinned</th>
                <th scope="col">Sponsored</th>
                <th scope="col">Caption</th>
              </tr>
            </thead>
            <tbody>
              {detail.posts.map((p) => (
                <tr>
                  <td>
                    {p.shortcode ? (
                      <a href={`https://www.instagram.com/p/${p.shortcode}/`} rel="noopener noreferrer">
                        {when(p.taken_at)}
                      </a>
                    ) : (
                      when(p.taken_at)
                    )}
                  </td>
                  <td>{p.counts_hidden ? 'hidden' : num(p.like_count)}</td>
                  <td>{num(p.comment_count)}</td>
                  <td>{num(p.play_count)}</td>
                  <td>{p.is_pinned ? '★ pinned' : ''}</td>
                  <td>{p.is_sponsored ? `yes${p.brands.length ? ` (${p.brands.join(', ')})` : ''}` : ''}</td>
                  <td>{(p.caption_text ?? '').slice(0, 120)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Layout>,
    );
  });
}

function AudienceCard(props: {
  detail: BlogDetail;
  readiness: Awaited<ReturnType<typeof listsReadiness>>;
  mutuals?: { total: number; names: string[] };
}) {
  const lists = new Map(props.detail.audience.map((l) => [l.kind, l]));
  return (
    <div class="card">
      <h2>Followers and following</h2>
      <dl class="facts">
        {(['followers', 'following'] as const).map((kind) => {
          const list = lists.get(kind);
          return (
            <Fact name={kind === 'followers' ? 'Followers list' : 'Following list'}>
              {list ? (
                <span>
                  {list.status === 'done' ? (list.complete ? 'done, complete' : 'done (stopped at its max)') : 'fetching'} ·{' '}
                  {num(list.fetched)} of {num(list.expected)}{' '}
                  <progress value={list.fetched} max={Math.max(1, list.expected ?? list.fetched)} aria-label={`${kind} fetched`}></progress>{' '}
                  <a href={`/ui/tasks?id=${list.task_id}`}>task #{list.task_id}</a>
                </span>
              ) : (
                'not fetched'
              )}
            </Fact>
          );
        })}
        <Fact name="Mutuals">
          {props.mutuals ? (
            <span>
              <strong>{props.mutuals.total.toLocaleString('en')}</strong>
              {props.mutuals.names.length > 0 &&
                `: ${props.mutuals.names.map((n) => `@${n}`).join(', ')}${props.mutuals.total > props.mutuals.names.length ? ', …' : ''}`}
            </span>
          ) : (
            'when both lists are done'
          )}
        </Fact>
      </dl>
    </div>
  );
}

/** AI insights as nested definition lists: sections, then their fields (lists joined, empty ones as —). */
function Insights(props: { value: Record<string, unknown> }): Child {
  return (
    <dl class="facts">
      {Object.entries(props.value).map(([key, value]) => (
        <Fact name={key.replaceAll('_', ' ')}>
          {value && typeof value === 'object' && !Array.isArray(value) ? (
            <Insights value={value as Record<string, unknown>} />
          ) : (
            show(value)
          )}
        </Fact>
      ))}
    </dl>
  );
}

/** A link taken from Instagram: clickable only when it is http(s) (a scraped `javascript:` URL stays text). */
const ExternalLink = (props: { url: string | null }) => {
  if (!props.url) return <>—</>;
  return /^https?:\/\//i.test(props.url) ? (
    <a href={props.url} rel="noopener noreferrer nofollow">
      {props.url}
    </a>
  ) : (
    <>{props.url}</>
  );
};

const Fact = (props: { name: string; children?: Child }) => (
  <>
    <dt>{props.name}</dt>
    <dd>{props.children}</dd>
  </>
);

/** The charts' data: snapshots oldest first (unix seconds), posts oldest first with pinned ones marked. */
export function chartData(detail: BlogDetail) {
  const snapshots = [...detail.snapshots].reverse();
  const posts = [...detail.posts].sort((a, b) => (a.taken_at?.getTime() ?? 0) - (b.taken_at?.getTime() ?? 0));
  return {
    snapshots: {
      t: snapshots.map((s) => Math.floor(s.taken_at.getTime() / 1000)),
      followers: snapshots.map((s) => s.follower_count),
      er: snapshots.map((s) => s.er),
    },
    posts: {
      x: posts.map((_, i) => i),
      labels: posts.map((p) => (p.taken_at ? p.taken_at.toISOString().slice(5, 10) : '?') + (p.is_pinned ? '★' : '')),
      likes: posts.map((p) => (p.counts_hidden ? null : p.like_count)),
      comments: posts.map((p) => p.comment_count),
      plays: posts.map((p) => p.play_count),
      pinned: posts.map((p) => (p.is_pinned ? (p.counts_hidden ? 0 : (p.like_count ?? 0)) : null)),
    },
  };
}

/** JSON inside a <script> element: `<` escaped so no text can close the element. */
const safeJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');
const num = (n: number | null | undefined) => (n === null || n === undefined ? '—' : n.toLocaleString('en'));
const pct = (n: number | null) => (n === null ? '—' : `${n.toFixed(2)} %`);
const when = (d: Date | null) => (d ? d.toISOString().slice(0, 16).replace('T', ' ') : 'never');
const show = (value: unknown) =>
  value === null || value === undefined || value === '' ? '—' : Array.isArray(value) ? value.join(', ') || '—' : String(value);
