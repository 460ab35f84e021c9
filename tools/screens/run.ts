/**
 * `npm run screens`: every surface of the app, reached through the real app with the test kit,
 * rendered as Slack would show it and photographed in headless Chromium into docs/screens/<name>.png;
 * the README's "What people see" list is written from the same table. Pictures of surfaces that
 * are no longer in the table are removed. Exits 1, after writing the pictures, when a surface
 * breaks a Slack limit, has an empty part, cuts a word or spills over.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { GalleryBrowser } from '../../test/kit/screens/browser.js';
import { captureGallery } from '../../test/kit/screens/capture.js';
import { surfaceProblems } from '../../test/kit/screens/checks.js';
import { readmeGallery, withGallery } from '../../test/kit/screens/readme.js';
import { scenarios } from '../../test/kit/screens/scenarios/index.js';

const root = resolve(import.meta.dirname, '../..');
const folder = join(root, 'docs/screens');

async function main(): Promise<number> {
  const browser = await GalleryBrowser.launch();
  if (!browser) {
    console.error('npm run screens needs Chromium: install the Debian package chromium, or set CHROMIUM_PATH.');
    return 1;
  }
  const problems: string[] = [];
  try {
    const began = performance.now();
    const { shots, directory } = await captureGallery();
    console.log(`Captured ${shots.length} surfaces in ${Math.round((performance.now() - began) / 1000)} s`);
    mkdirSync(folder, { recursive: true });
    for (const { scenario, surface } of shots) {
      await browser.screenshot(surface, directory, join(folder, `${scenario.name}.png`));
      const found = [...surfaceProblems(surface, scenario.fed), ...(await browser.layoutProblems(surface, directory))];
      problems.push(...found.map((problem) => `${scenario.name}: ${problem}`));
      console.log(`  docs/screens/${scenario.name}.png${found.length ? `  (${found.length} problems)` : ''}`);
    }
    const names = new Set(shots.map((shot) => `${shot.scenario.name}.png`));
    for (const file of readdirSync(folder)) if (file.endsWith('.png') && !names.has(file)) rmSync(join(folder, file));
  } finally {
    await browser.close();
  }
  const readme = join(root, 'README.md');
  writeFileSync(readme, withGallery(readFileSync(readme, 'utf8'), readmeGallery(scenarios)));
  for (const problem of problems) console.error(problem);
  return problems.length > 0 ? 1 : 0;
}

process.exitCode = await main();
