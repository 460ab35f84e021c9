import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page, type Response } from 'playwright-core';
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

/** The visible text of the page, which must read as words for a person: no error names or stack frames. */
async function readableText(page: Page): Promise<string> {
  const body = (await page.textContent('body')) ?? '';
  expect(body).not.toMatch(/Error:|\bat \S+ \(|\bat (?:async )?\S+:\d+:\d+/);
  return body;
}

/** Where the browser ended: Switchboard's callback, not Slack's pages nor a blank or error page. */
function expectOnCallback(page: Page): void {
  const where = new URL(page.url());
  expect(where.origin).toBe(harness.url);
  expect(where.pathname).toBe('/slack/oauth_redirect');
}

/** A refusal page: a link back to our install page, and words that say to start again there. */
async function expectStartAgain(page: Page): Promise<void> {
  expect(await page.getAttribute('a.button', 'href')).toBe(`${harness.url}/slack/install`);
  expect(await readableText(page)).toContain('Start again from the install page');
}

/** Our install page, then Slack's consent page: clicks the choice and lets the browser follow Slack back. */
async function throughConsent(page: Page, choice: 'allow' | 'cancel'): Promise<Response> {
  await toConsentPage(page);
  const [response] = await Promise.all([
    page.waitForResponse((answer) => new URL(answer.url()).pathname === '/slack/oauth_redirect'),
    page.click(`#${choice}`),
  ]);
  await page.waitForLoadState();
  return response;
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
    const [landing] = await Promise.all([
      page.waitForResponse((response) => new URL(response.url()).pathname === '/slack/oauth_redirect'),
      page.click('#allow'),
    ]);
    await page.waitForLoadState();
    expectOnCallback(page);
    expect(page.url()).toBe(landing.url());
    expect(landing.status()).toBe(200);
    const body = await readableText(page);
    expect(body).toContain('Switchboard is installed in Acme Ops');
    expect(body).toContain('Connected to Novu');
    expect(await page.getAttribute('#result', 'data-outcome')).toBe('installed');

    // The same callback again (a replayed link): refused, in words, with a way back.
    const replay = await page.goto(landing.url());
    expect(replay?.status()).toBeGreaterThanOrEqual(400);
    expect(replay?.status()).toBeLessThan(500);
    expect(page.url()).toBe(landing.url());
    expect(await reason(page)).toBe('state-used');
    expect(await readableText(page)).toContain('already used');
    await expectStartAgain(page);
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
    expect(page.url()).toBe(callback.toString());
    expect(await reason(page)).toBe('state-forged');
    expect(await readableText(page)).toContain('not issued by this Switchboard');
    await expectStartAgain(page);
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
    expectOnCallback(otherPage);
    expect(await reason(otherPage)).toBe('state-other-browser');
    expect(await readableText(otherPage)).toContain('started in a different browser');
    await expectStartAgain(otherPage);
    await other.close();
  }, 60_000);

  it('cancelling on Slack’s page says nothing was changed', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const response = await throughConsent(page, 'cancel');
    expect(response.status()).toBe(400);
    expectOnCallback(page);
    expect(await reason(page)).toBe('cancelled');
    const body = await readableText(page);
    expect(body).toContain('Installation cancelled');
    expect(body).toContain('Nothing was changed');
    await context.close();
  }, 60_000);
});
