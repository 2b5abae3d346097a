/** Endpoint table: method, path pattern under /api/v1/, whether a session is required. */
import * as auth from './handlers/auth.js';
import * as feeds from './handlers/feeds.js';
import * as lists from './handlers/lists.js';
import * as users from './handlers/users.js';
import type { Handler } from './types.js';

interface RouteDef {
  method: 'GET' | 'POST';
  pattern: string;
  auth: boolean;
  handler: Handler;
}

export interface RouteMatch {
  route: string;
  auth: boolean;
  handler: Handler;
  params: Record<string, string>;
}

const ROUTES: readonly RouteDef[] = [
  { method: 'POST', pattern: 'qe/sync/', auth: false, handler: auth.qeSync },
  { method: 'GET', pattern: 'qe/sync/', auth: false, handler: auth.qeSync },
  { method: 'POST', pattern: 'launcher/sync/', auth: false, handler: auth.launcherSync },
  { method: 'POST', pattern: 'accounts/login/', auth: false, handler: auth.login },
  { method: 'POST', pattern: 'accounts/two_factor_login/', auth: false, handler: auth.twoFactorLogin },
  { method: 'GET', pattern: 'accounts/current_user/', auth: true, handler: auth.currentUser },
  { method: 'POST', pattern: 'accounts/logout/', auth: true, handler: auth.logout },
  { method: 'GET', pattern: 'users/search/', auth: true, handler: users.userSearch },
  { method: 'GET', pattern: 'users/{pk}/info/', auth: true, handler: users.userInfo },
  { method: 'GET', pattern: 'users/{username}/usernameinfo/', auth: true, handler: users.usernameInfo },
  { method: 'GET', pattern: 'discover/chaining/', auth: true, handler: users.chaining },
  { method: 'GET', pattern: 'feed/user/{pk}/', auth: true, handler: feeds.userFeed },
  { method: 'GET', pattern: 'highlights/{pk}/highlights_tray/', auth: true, handler: feeds.highlightsTray },
  { method: 'POST', pattern: 'feed/reels_media/', auth: true, handler: feeds.reelsMedia },
  { method: 'GET', pattern: 'feed/reels_media/', auth: true, handler: feeds.reelsMedia },
  { method: 'GET', pattern: 'feed/tag/{tag}/', auth: true, handler: lists.tagFeed },
  { method: 'POST', pattern: 'tags/{tag}/sections/', auth: true, handler: lists.tagSections },
  { method: 'GET', pattern: 'friendships/{pk}/followers/', auth: true, handler: lists.followers },
  { method: 'GET', pattern: 'friendships/{pk}/following/', auth: true, handler: lists.following },
];

const COMPILED = ROUTES.map((def) => {
  const names: string[] = [];
  const source = def.pattern.replace(/\{(\w+)\}/g, (_, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  return { def, names, regex: new RegExp(`^/api/v1/${source}$`) };
});

export function matchRoute(method: string, path: string): RouteMatch | undefined {
  for (const { def, names, regex } of COMPILED) {
    if (def.method !== method) continue;
    const match = regex.exec(path);
    if (!match) continue;
    const params: Record<string, string> = {};
    names.forEach((name, i) => {
      params[name] = decodeURIComponent(match[i + 1] ?? '');
    });
    return { route: def.pattern.replace(/\/$/, ''), auth: def.auth, handler: def.handler, params };
  }
  return undefined;
}

/** Route label for the log, also for unknown paths. */
export function routeLabel(path: string): string {
  return path.replace(/^\/api\/v1\//, '').replace(/\/$/, '') || '/';
}
