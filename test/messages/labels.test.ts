import { describe, expect, it } from 'vitest';
import { allCoverage } from './escaping/all.js';
import { Hostile } from './escaping/kit.js';

/** Slack writes "(optional)" after an optional input's label itself: a label that says it too reads "(optional) (optional)". */

interface Found {
  label: string;
  optional: boolean;
}

function inputsIn(value: unknown, found: Found[] = []): Found[] {
  if (Array.isArray(value)) for (const item of value) inputsIn(item, found);
  else if (value && typeof value === 'object') {
    const block = value as { type?: unknown; label?: { text?: unknown }; optional?: unknown };
    if (block.type === 'input' && typeof block.label?.text === 'string') found.push({ label: block.label.text, optional: block.optional === true });
    for (const child of Object.values(value)) inputsIn(child, found);
  }
  return found;
}

const builders = allCoverage.flatMap(({ path, builders, tables }) =>
  Object.entries({ ...builders, ...tables }).map(([name, fixture]) => [`${path}: ${name}`, fixture] as const),
);
const plain = () => new Hostile(['Front desk', 'sub-1', 'Acme', 'Alex', 'ops', 'T0ACME']);

describe('form labels', () => {
  it.each(builders)('%s: no label says "(optional)"; Slack says it for the optional ones', (_name, fixture) => {
    for (const input of inputsIn(fixture(plain()))) expect(input.label, input.label).not.toMatch(/\(optional\)/i);
  });

  it('the forms have optional inputs (the walk finds them)', () => {
    const inputs = builders.flatMap(([, fixture]) => inputsIn(fixture(plain())));
    expect(inputs.filter((input) => input.optional).length).toBeGreaterThan(5);
  });
});
