import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../kit/harness.js';

/**
 * The install flow in a real browser: Debian's Chromium, driven by playwright-core, clicking
 * through our install page, the Slack emulator's consent page and our callback pages.
 */
const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].filter((path): path is string =>
  Boolean(path),
);
const executablePath = candidates.find((path) => existsSync(path));
if (!executablePath) {
  if (process.env.CI) throw new Error('Chromium is required in CI: install the Debian package chromium (or set CHROMIUM_PATH)');
  console.warn('Browser install test skipped: Chromium not found. Install the Debian package chromium or set CHROMIUM_PATH.');
}

let harness: Harness;
let browser: Browser;

beforeAll(async () => {
  if (!executablePath) return;
  harness = await startHarness();
  browser = await chromium.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking'],
  });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await harness?.stop();
});

async function reason(page: Page): Promise<string | null> {
  return page.getAttribute('#result', 'data-reason');
}

/** Our install page, then Slack's consent page: clicks the choice and lets the browser follow Slack back. */
async function throughConsent(page: Page, choice: 'allow' | 'cancel'): Promise<void> {
  await toConsentPage(page);
  await Promise.all([page.waitForURL(/\/slack\/oauth_redirect/), page.click(`#${choice}`)]);
  await page.waitForLoadState();
}

/**
 * The callback URL Slack would send this browser back to, without following it (so the state is
 * still unused). Redirects cannot be intercepted in the browser, so the consent link is followed here.
 */
async function callbackWithoutFollowing(page: Page): Promise<string> {
  await toConsentPage(page);
  const allow = await page.getAttribute('#allow', 'href');
  const answer = await fetch(new URL(allow ?? '', page.url()), { redirect: 'manual' });
  const location = answer.headers.get('location');
  if (!location) throw new Error('The consent page did not redirect');
  return location;
}

async function toConsentPage(page: Page): Promise<void> {
  await page.goto(`${harness.url}/slack/install`);
  await page.click('#add-to-slack');
  await page.waitForURL(/\/oauth\/v2\/authorize/);
}

describe.skipIf(!executablePath)('installing from a browser', () => {
  it('Add to Slack → consent → a success page that names the workspace', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${harness.url}/slack/install`);
    expect(await page.textContent('body')).toContain('Add Switchboard to Slack');
    await page.click('#add-to-slack');
    await page.waitForURL(/\/oauth\/v2\/authorize/);
    const [landing] = await Promise.all([page.waitForResponse((response) => response.url().includes('/slack/oauth_redirect')), page.click('#allow')]);
    await page.waitForLoadState();
    expect(landing.status()).toBe(200);
    const body = (await page.textContent('body')) ?? '';
    expect(body).toContain('Switchboard is installed in Acme Ops');
    expect(body).toContain('Connected to Novu');
    expect(body).not.toMatch(/Error:|\bat \S+ \(/);
    expect(await page.getAttribute('#result', 'data-outcome')).toBe('installed');

    // The same callback again (a replayed link): refused, in words, with a way back.
    const replay = await page.goto(landing.url());
    expect(replay?.status()).toBeGreaterThanOrEqual(400);
    expect(replay?.status()).toBeLessThan(500);
    expect(await reason(page)).toBe('state-used');
    expect(await page.textContent('body')).toContain('Start again');
    await context.close();
  }, 60_000);

  it('a tampered state is refused with a readable page and a link to start again', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const callback = new URL(await callbackWithoutFollowing(page));
    const state = callback.searchParams.get('state') ?? '';
    callback.searchParams.set('state', `${state.slice(0, -4)}${state.slice(-4).split('').reverse().join('')}x`);
    const response = await page.goto(callback.toString());
    expect(response?.status()).toBe(400);
    expect(await reason(page)).toBe('state-forged');
    expect(await page.getAttribute('a.button', 'href')).toBe(`${harness.url}/slack/install`);
    await context.close();
  }, 60_000);

  it('a callback opened in another browser (no cookie) is refused', async () => {
    const first = await browser.newContext();
    const page = await first.newPage();
    const callback = await callbackWithoutFollowing(page);
    await first.close();

    const other = await browser.newContext();
    const otherPage = await other.newPage();
    const response = await otherPage.goto(callback);
    expect(response?.status()).toBe(400);
    expect(await reason(otherPage)).toBe('state-other-browser');
    expect(await otherPage.textContent('body')).toContain('in this browser');
    await other.close();
  }, 60_000);

  it('cancelling on Slack’s page says nothing was changed', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await throughConsent(page, 'cancel');
    expect(await reason(page)).toBe('cancelled');
    expect(await page.textContent('body')).toContain('Nothing was changed');
    await context.close();
  }, 60_000);
});
