import { readdirSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Mrkdwn } from '../../src/slack/mrkdwn.js';
import { allCoverage } from './escaping/all.js';
import { Hostile, hostilePool, type ModuleCoverage, mrkdwnTexts, problemsIn } from './escaping/kit.js';

/**
 * Every exported message and view builder, called with hostile strings in every text field
 * (names, subscriber ids, identifiers, vendor errors, workspace names): whatever reaches mrkdwn —
 * a section, a context, a field, a confirmation, a message's text — carries them escaped.
 */
const coverage: ModuleCoverage[] = allCoverage;

/** The message modules under src/: `messages.ts` and `…-messages.ts`. */
function messageModules(): string[] {
  return readdirSync('src', { recursive: true, encoding: 'utf8' })
    .map((path) => path.replaceAll('\\', '/'))
    .filter((path) => /(^|\/|-)messages\.ts$/.test(path))
    .sort();
}

const functionsOf = (module: Record<string, unknown>) =>
  Object.entries(module)
    .filter(([, value]) => typeof value === 'function')
    .map(([name]) => name)
    .sort();

const builders = coverage.flatMap(({ path, builders, tables }) =>
  Object.entries({ ...builders, ...tables }).map(([name, fixture]) => [`${path}: ${name}`, fixture] as const),
);

describe('text that reaches Slack mrkdwn is escaped', () => {
  it('covers every message module', () => {
    const covered = coverage.filter((entry) => !entry.only).map((entry) => entry.path);
    expect(messageModules()).toEqual([...covered].sort());
  });

  it.each(coverage.map((entry) => [entry.path, entry] as const))('%s: each exported function is covered, or said to build no mrkdwn', (_path, entry) => {
    const functions = functionsOf(entry.module);
    const covered = Object.keys(entry.builders);
    if (entry.only) expect(functions).toEqual(expect.arrayContaining(covered));
    else expect(functions).toEqual([...covered, ...Object.keys(entry.notBuilders ?? {})].sort());
    for (const value of Object.values(entry.module)) if (value instanceof Mrkdwn) expect(problemsIn(value.text)).toEqual([]);
  });

  it.each(builders)('%s', (_name, fixture) => {
    fc.assert(
      fc.property(hostilePool, (pool) => {
        const texts = fixture(new Hostile(pool)).flatMap((built) => mrkdwnTexts(built));
        expect(texts.length).toBeGreaterThan(0);
        for (const text of texts) expect(problemsIn(text), text).toEqual([]);
      }),
      { numRuns: 25 },
    );
  });

  it('covers over a hundred builders', () => {
    expect(builders.length).toBeGreaterThan(100);
  });
});
