import type { Child } from 'hono/jsx';
import { STYLE } from './style.js';

const PAGES = [
  ['/ui/overview', 'Overview'],
  ['/ui', 'Creators'],
  ['/ui/tasks', 'Tasks'],
  ['/ui/accounts', 'Accounts'],
  ['/ui/logs', 'Logs'],
] as const;

/**
 * The page frame: skip link, navigation (the current page marked for screen readers), sign-out (a CSRF-protected
 * POST) and the main region. Readable on a phone. `refreshMs` makes the page's [data-live] regions refresh
 * themselves (live.js); `scripts` are the page's own progressive scripts.
 */
export function Layout(props: {
  title: string;
  csrf?: string;
  children: Child;
  scripts?: string[];
  styles?: string[];
  refreshMs?: number;
  current?: string;
}) {
  const current = props.current ?? PAGES.find(([, name]) => name === props.title)?.[0];
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · ig-scout`}</title>
        <style>{STYLE}</style>
        {props.styles?.map((href) => (
          <link rel="stylesheet" href={href} />
        ))}
      </head>
      <body>
        <a class="skip" href="#main">
          Skip to content
        </a>
        <header>
          <strong>ig-scout</strong>
          {props.csrf !== undefined && (
            <nav aria-label="Console">
              {PAGES.map(([href, name]) => (
                <a href={href} aria-current={href === current ? 'page' : undefined}>
                  {name}
                </a>
              ))}
              <form method="post" action="/ui/sign-out" class="inline">
                <input type="hidden" name="_csrf" value={props.csrf} />
                <button type="submit">Sign out</button>
              </form>
            </nav>
          )}
        </header>
        <main id="main" data-refresh={props.refreshMs?.toString()}>
          <h1>{props.title}</h1>
          {props.children}
        </main>
        {props.refreshMs !== undefined && <script src="/ui/assets/live.js" defer></script>}
        {props.scripts?.map((src) => (
          <script src={src} defer></script>
        ))}
      </body>
    </html>
  );
}

/** The hidden CSRF field of a state-changing form. */
export const CsrfField = (props: { token: string }) => <input type="hidden" name="_csrf" value={props.token} />;
