import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumPath, GalleryBrowser } from '../kit/screens/browser.js';
import { captureGallery, type Gallery } from '../kit/screens/capture.js';
import { surfaceProblems } from '../kit/screens/checks.js';
import type { Surface } from '../kit/screens/driver.js';
import { readmeGallery } from '../kit/screens/readme.js';
import { scenarios } from '../kit/screens/scenarios/index.js';

/**
 * Every surface of the gallery (`npm run screens`), reached through the real app with the test
 * kit: none breaks a Slack limit, has an empty part or cuts a word, and — rendered as Slack shows
 * it, in headless Chromium — none has text cut or spilling over. Chromium is required in CI.
 */
if (!chromiumPath) {
  if (process.env.CI) throw new Error('Chromium is required in CI: install the Debian package chromium (or set CHROMIUM_PATH)');
  console.warn('The gallery is checked without a browser: Chromium not found. Install the Debian package chromium or set CHROMIUM_PATH.');
}

let gallery: Gallery;
let browser: GalleryBrowser | undefined;
beforeAll(async () => {
  [gallery, browser] = await Promise.all([captureGallery(), GalleryBrowser.launch()]);
}, 120_000);
afterAll(() => browser?.close());

const shotOf = (name: string) => {
  const shot = gallery.shots.find((candidate) => candidate.scenario.name === name);
  if (!shot) throw new Error(`No surface for ${name}`);
  return shot;
};

describe('the gallery', () => {
  it('reaches every scenario of the table, each under a name of its own', () => {
    expect(gallery.shots.map((shot) => shot.scenario.name)).toEqual(scenarios.map((scenario) => scenario.name));
    expect(new Set(scenarios.map((scenario) => scenario.name)).size).toBe(scenarios.length);
    expect(scenarios.filter((scenario) => scenario.main).length).toBeGreaterThanOrEqual(20);
  });

  it.each(scenarios.map((scenario) => scenario.name))('%s: within Slack’s limits, nothing empty, no word cut', (name) => {
    const { scenario, surface } = shotOf(name);
    expect(surfaceProblems(surface, scenario.fed)).toEqual([]);
  });

  it.skipIf(!chromiumPath)(
    'renders every surface in Chromium with no text cut or spilling past its frame',
    async () => {
      const problems: string[] = [];
      for (const { scenario, surface } of gallery.shots) {
        for (const problem of (await browser?.layoutProblems(surface, gallery.directory)) ?? []) problems.push(`${scenario.name}: ${problem}`);
      }
      expect(problems).toEqual([]);
    },
    90_000,
  );

  it('the README shows every main surface, with its sentence, and each picture is in docs/screens', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(readmeGallery(scenarios));
    for (const scenario of scenarios) expect(existsSync(new URL(`../../docs/screens/${scenario.name}.png`, import.meta.url)), scenario.name).toBe(true);
  });
});

const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });
const message = (...blocks: Record<string, unknown>[]): Surface => ({ kind: 'message', text: 'x', blocks, ephemeral: true, channel: 'C0GENERAL' });
const button = (text: string, id: string) => ({ type: 'button', text: { type: 'plain_text', text }, action_id: id });

describe('the checks find what they look for', () => {
  it('an empty section, a blank line of context, a modal with nothing in it', () => {
    expect(surfaceProblems(message(section('  \n ')))).toEqual([expect.stringContaining('empty section')]);
    expect(surfaceProblems(message({ type: 'context', elements: [{ type: 'mrkdwn', text: ' ' }] }))).toEqual([expect.stringContaining('element 0 is empty')]);
    const modal: Surface = { kind: 'modal', view: { type: 'modal', title: { type: 'plain_text', text: 'Nothing' }, blocks: [] } };
    expect(surfaceProblems(modal)).toEqual(['the surface has nothing in it']);
  });

  it('text cut inside a word: at a limit, or a fed text shown to the middle of a word; a cut at a word’s end passes', () => {
    const atLimit = `${'word '.repeat(599)}abcd…`;
    expect(atLimit).toHaveLength(3000);
    expect(surfaceProblems(message(section(atLimit)))).toEqual([expect.stringContaining('3000-character limit')]);
    const fed = 'Novu answered 422 because the integration was reconfigured elsewhere';
    expect(surfaceProblems(message(section(`:warning: ${fed.slice(0, 50)}`)), [fed])).toEqual([expect.stringContaining('inside a word')]);
    expect(surfaceProblems(message(section(`:warning: ${fed.slice(0, 46)}…`)), [fed])).toEqual([]);
    expect(surfaceProblems(message(section(`Checking every route… ${fed}`)), [fed])).toEqual([]);
  });

  it('Slack’s limits: blocks in a message, a button’s text, a repeated action id, a modal title', () => {
    expect(surfaceProblems(message(...Array.from({ length: 51 }, () => section('x'))))).toContainEqual(expect.stringContaining('51 blocks'));
    const actions = { type: 'actions', elements: [button('b'.repeat(76), 'one'), button('Fine', 'one')] };
    expect(surfaceProblems(message(actions))).toEqual(
      expect.arrayContaining([expect.stringContaining('76 chars (max 75)'), expect.stringContaining('repeats action_id one')]),
    );
    const modal: Surface = { kind: 'modal', view: { type: 'modal', title: { type: 'plain_text', text: 'A title longer than Slack' }, blocks: [section('x')] } };
    expect(surfaceProblems(modal)).toEqual([expect.stringContaining('modal title is 25 chars')]);
  });

  it.skipIf(!chromiumPath)('Chromium sees a token too long for its line spill past the frame, and a context line cut', async () => {
    const directory = { users: [], channels: [] };
    const long = message(section(`\`${'x'.repeat(400)}\``));
    expect(await browser?.layoutProblems(long, directory)).toContainEqual(expect.stringMatching(/past the edge|cut:/));
    expect(await browser?.layoutProblems(message(section('A short sentence.')), directory)).toEqual([]);
  });
});
