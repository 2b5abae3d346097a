import type { Child } from 'hono/jsx';
import { STYLE } from './style.js';

/** The page frame: navigation, sign-out (a CSRF-protected POST) and the main region. Readable on a phone. */
export function Layout(props: { title: string; csrf?: string; children: Child }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · ig-scout`}</title>
        <style>{STYLE}</style>
      </head>
      <body>
        <header>
          <strong>ig-scout</strong>
          {props.csrf !== undefined && (
            <nav aria-label="Console">
              <a href="/ui">Creators</a>
              <a href="/ui/tasks">Tasks</a>
              <form method="post" action="/ui/sign-out" class="inline">
                <input type="hidden" name="_csrf" value={props.csrf} />
                <button type="submit">Sign out</button>
              </form>
            </nav>
          )}
        </header>
        <main id="main">
          <h1>{props.title}</h1>
          {props.children}
        </main>
      </body>
    </html>
  );
}

/** The hidden CSRF field of a state-changing form. */
export const CsrfField = (props: { token: string }) => <input type="hidden" name="_csrf" value={props.token} />;
