/**
 * Same seed ⇒ byte-identical response bodies; and the raw wire format (bare big numbers,
 * "status":"ok" last, absent keys) that the parsed client objects hide.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInstagramEmulator, type InstagramEmulator } from '../../emulator/instagram/index.js';
import { createTlsMaterial } from '../../emulator/instagram/tls.js';
import { loggedInClient, okAccounts, rawRequest } from './ig-helpers.js';

const emulators: InstagramEmulator[] = [];
const auth: string[] = [];

beforeAll(async () => {
  const tls = createTlsMaterial(); // one certificate for all three: faster, and bodies do not depend on it
  for (const seed of [3, 3, 4]) {
    const emulator = await startInstagramEmulator({ seed, proxies: 1, tls });
    const ig = await loggedInClient(emulator, okAccounts(emulator)[0]!);
    emulators.push(emulator);
    auth.push(ig.state.authorization ?? '');
  }
});
afterAll(async () => {
  await Promise.all(emulators.map((e) => e.close()));
});

/** The same sequence of requests against emulator `i`; returns the raw bodies. */
async function bodies(i: number): Promise<string[]> {
  const emulator = emulators[i]!;
  const proxy = emulator.proxyUrls[0]!;
  const headers = { authorization: auth[i]! };
  const creator = emulator.world.qualifyingCreators()[1]!;
  const highlight = emulator.world.creators.flatMap((c) => emulator.world.highlightsOf(c.pk))[0]!;
  const tag = emulator.world.examples().hashtags[0]!;
  const get = async (path: string): Promise<string> => (await rawRequest(proxy, path, { headers })).body;
  const first = await get(`/api/v1/feed/user/${creator.pk}/`);
  const next = (JSON.parse(first) as { next_max_id?: string }).next_max_id ?? '';
  const signed = encodeURIComponent(`sig.${JSON.stringify({ user_ids: [`highlight:${highlight.pk}`] })}`);
  return [
    await get(`/api/v1/users/${creator.username}/usernameinfo/`),
    await get(`/api/v1/users/${creator.pk}/info/`),
    first,
    await get(`/api/v1/feed/user/${creator.pk}/?max_id=${next}`),
    await get(`/api/v1/highlights/${highlight.ownerPk}/highlights_tray/`),
    (await rawRequest(proxy, '/api/v1/feed/reels_media/', { method: 'POST', headers, form: `signed_body=${signed}` })).body,
    await get(`/api/v1/feed/tag/${tag}/`),
    (await rawRequest(proxy, `/api/v1/tags/${tag}/sections/`, { method: 'POST', headers, form: 'tab=top' })).body,
    await get(`/api/v1/friendships/${emulator.world.followersAccount.pk}/followers/`),
    await get(`/api/v1/users/${emulator.world.deleted[0]!.username}/usernameinfo/`),
  ];
}

describe('determinism', () => {
  it('two emulators with the same seed answer byte-identically; another seed does not', async () => {
    const [a, b, c] = [await bodies(0), await bodies(1), await bodies(2)];
    expect(a.every((body) => body.length > 40)).toBe(true);
    expect(b).toEqual(a);
    expect(c.slice(0, 9)).not.toEqual(a.slice(0, 9));
  });

  it('session headers are deterministic too (counter-based session ids)', () => {
    expect(auth[1]).toBe(auth[0]);
  });
});

describe('wire format', () => {
  it('writes media pks as bare numbers above 2^53, ends with "status":"ok" and omits zero comment counts', async () => {
    const emulator = emulators[0]!;
    const creator = emulator.world.qualifyingCreators()[0]!;
    const media = emulator.world.mediaOf(creator.pk)[0]!;
    const { status, body } = await rawRequest(emulator.proxyUrls[0]!, `/api/v1/feed/user/${creator.pk}/`, {
      headers: { authorization: auth[0]! },
    });
    expect(status).toBe(200);
    expect(body).toContain(`"pk":${media.pk},"id":"${media.pk}_${creator.pk}"`);
    expect(body.endsWith('"status":"ok"}')).toBe(true);
    const world = emulator.world;
    const quiet = world.qualifyingCreators().find((c) =>
      world
        .mediaOf(c.pk)
        .slice(0, 12)
        .some((m) => m.commentCount === 0),
    );
    expect(quiet).toBeDefined();
    const target = world
      .mediaOf(quiet!.pk)
      .slice(0, 12)
      .find((m) => m.commentCount === 0)!;
    const page = await rawRequest(emulator.proxyUrls[0]!, `/api/v1/feed/user/${quiet!.pk}/`, { headers: { authorization: auth[0]! } });
    const item = (JSON.parse(page.body) as { items: Array<Record<string, unknown>> }).items.find((i) => i['id'] === target.id);
    expect(item).toBeDefined();
    expect('comment_count' in item!).toBe(false);
  });

  it('answers login_required (403) without a session and any CONNECT host is accepted', async () => {
    const response = await rawRequest(emulators[0]!.proxyUrls[0]!, '/api/v1/accounts/current_user/?edit=true');
    expect(response.status).toBe(403);
    expect(JSON.parse(response.body)).toMatchObject({ message: 'login_required', status: 'fail' });
  });
});
