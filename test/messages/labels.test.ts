import { describe, expect, it } from 'vitest';
import { connectCoverage } from './escaping/connect.js';
import { deliveryCoverage } from './escaping/delivery.js';
import { homeCoverage } from './escaping/home.js';
import { Hostile } from './escaping/kit.js';
import { numberCoverage } from './escaping/numbers.js';
import { phoneCoverage } from './escaping/phone.js';
import { requestCoverage } from './escaping/requests.js';
import { routeCoverage } from './escaping/routes.js';
import { slackCoverage } from './escaping/slack.js';

/** Slack writes "(optional)" after an optional input's label itself: a label that says it too reads "(optional) (optional)". */
const coverage = [
  ...slackCoverage,
  ...connectCoverage,
  ...deliveryCoverage,
  ...homeCoverage,
  ...numberCoverage,
  ...requestCoverage,
  ...phoneCoverage,
  ...routeCoverage,
];

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

const builders = coverage.flatMap(({ path, builders, tables }) =>
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
