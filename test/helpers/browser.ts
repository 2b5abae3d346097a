import chromium from '@sparticuz/chromium';
import { chromium as playwright, type Browser } from 'playwright-core';

/**
 * A real headless Chromium from the @sparticuz/chromium npm package (unpacked to /tmp on first use; nothing is
 * downloaded), driven by playwright-core, which gives every launch a fresh empty profile of its own. Offline-safe
 * flags: no background networking, component updates or sync.
 */
export async function launchBrowser(): Promise<{ browser: Browser; close: () => Promise<void> }> {
  const browser = await playwright.launch({
    executablePath: await chromium.executablePath(),
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return { browser, close: () => browser.close() };
}
