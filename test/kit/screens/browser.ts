import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import type { Directory } from './capture.js';
import type { Surface } from './driver.js';
import { surfacePage, viewportWidth } from './render.js';

/**
 * Headless Chromium for the gallery: Debian's package (or CHROMIUM_PATH), never a downloaded
 * browser, found the way the browser install test finds it.
 */
export const chromiumPath = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome']
  .filter((path): path is string => Boolean(path))
  .find((path) => existsSync(path));

/**
 * What the rendered page shows cut or spilling over: a box whose text needs more room than it has
 * and hides the rest, something reaching past the frame's right edge, or a page wider than the
 * window. Runs in the page (as text: the project's types have no DOM).
 */
const layoutProblemsScript = `(() => {
  const frame = document.querySelector('#frame') || document.body;
  const edge = frame.getBoundingClientRect().right;
  const found = new Set();
  const words = (element) => (element.innerText || element.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 80);
  const root = document.documentElement;
  if (root.scrollWidth > root.clientWidth + 1) found.add('the page is ' + root.scrollWidth + 'px wide in a ' + root.clientWidth + 'px window');
  for (const element of frame.querySelectorAll('*')) {
    const style = getComputedStyle(element);
    if (style.display === 'none' || style.visibility === 'hidden') continue;
    const clips = style.overflowX !== 'visible' || style.textOverflow === 'ellipsis';
    if (clips && element.clientWidth > 0 && element.scrollWidth > element.clientWidth + 1 && words(element)) {
      found.add('cut: "' + words(element) + '" needs ' + element.scrollWidth + 'px and has ' + element.clientWidth + 'px');
    }
    const box = element.getBoundingClientRect();
    if (box.width > 0 && box.right > edge + 1 && element.children.length === 0 && words(element)) {
      found.add('past the edge by ' + Math.round(box.right - edge) + 'px: "' + words(element) + '"');
    }
  }
  return [...found];
})()`;

export class GalleryBrowser {
  private page: Page | undefined;

  private constructor(private readonly browser: Browser) {}

  /** Chromium, or undefined when there is none (in CI there must be one). */
  static async launch(): Promise<GalleryBrowser | undefined> {
    if (!chromiumPath) {
      if (process.env.CI) throw new Error('Chromium is required in CI: install the Debian package chromium (or set CHROMIUM_PATH)');
      return undefined;
    }
    const browser = await chromium.launch({
      executablePath: chromiumPath,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking'],
    });
    return new GalleryBrowser(browser);
  }

  /** Shows the surface's page in a window as wide as its kind needs (one tab, reused: a new one per surface costs more than the rendering). */
  async show(surface: Surface, directory: Directory): Promise<Page> {
    if (!this.page) {
      this.page = await this.browser.newPage({ viewport: { width: viewportWidth[surface.kind], height: 600 }, deviceScaleFactor: 1 });
      // Nothing leaves the machine: a page's links and images elsewhere are not fetched.
      await this.page.route(/^https?:/, (route) => route.abort());
    }
    await this.page.setViewportSize({ width: viewportWidth[surface.kind], height: 600 });
    await this.page.setContent(surfacePage(surface, directory), { waitUntil: 'load' });
    return this.page;
  }

  /** What is cut or spills over in the rendered surface. */
  async layoutProblems(surface: Surface, directory: Directory): Promise<string[]> {
    const page = await this.show(surface, directory);
    return page.evaluate<string[]>(layoutProblemsScript);
  }

  /** A PNG of the surface, clipped to its frame (a page of the app's: the whole page). */
  async screenshot(surface: Surface, directory: Directory, path: string): Promise<void> {
    const page = await this.show(surface, directory);
    if (surface.kind === 'page') await page.screenshot({ path, fullPage: true });
    else await page.locator('#frame').screenshot({ path });
  }

  close(): Promise<void> {
    return this.browser.close();
  }
}
