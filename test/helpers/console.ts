import type { Browser, Page } from 'playwright-core';
import { TEST_API_KEY } from './app.js';

/** A new page of the console, signed in the way a person does it (the form, the key), on the Creators page. */
export async function signedInPage(browser: Browser, base: string): Promise<Page> {
  // A locale of its own: on a machine with LANG=C, Chromium reports "en-US@posix", which Intl (and uPlot) refuse.
  const page = await browser.newPage({ locale: 'en-US' });
  page.setDefaultTimeout(15_000);
  page.on('pageerror', (error) => console.error('page error:', error.message));
  await page.goto(`${base}/ui/sign-in`);
  await page.getByLabel('API key').fill(TEST_API_KEY);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Creators' }).waitFor();
  return page;
}
