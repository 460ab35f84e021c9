import fc from 'fast-check';
import examples from 'libphonenumber-js/examples.mobile.json';
import { type CountryCode, getExampleNumber } from 'libphonenumber-js/max';
import { describe, expect, it } from 'vitest';
import { maskPhoneNumber, parsePhoneNumber } from '../../../src/features/phone/phone-number.js';

describe('parsePhoneNumber', () => {
  const valid: [string, string, string][] = [
    ['(415) 555-0100', 'US', '+14155550100'],
    ['415 555 0100', 'US', '+14155550100'],
    ['+1-415-555-0100', 'US', '+14155550100'],
    ['011 44 20 7946 0958', 'US', '+442079460958'],
    ['00 49 30 901820', 'US', '+4930901820'],
    ['020 7946 0958', 'GB', '+442079460958'],
    ['030 901820', 'DE', '+4930901820'],
    ['tel:+14155550100', 'US', '+14155550100'],
    ['+1\u00a0415\u00a0555\u00a00100', 'US', '+14155550100'],
    ['+1 415\u2013555\u20130100', 'US', '+14155550100'],
    ['＋１ ４１５ ５５５ ０１００', 'US', '+14155550100'],
  ];
  it.each(valid)('%j in %s → %s', (input, region, e164) => {
    const result = parsePhoneNumber(input, region);
    expect(result).toMatchObject({ ok: true, e164 });
  });

  it('gives the national and international forms', () => {
    expect(parsePhoneNumber('+442079460958', 'US')).toMatchObject({ national: '020 7946 0958', international: '+44 20 7946 0958', country: 'GB' });
  });

  const invalid: [string, RegExp][] = [
    ['', /Enter a phone number/],
    ['   ', /Enter a phone number/],
    ['+1 415 555 01', /"\+1 415 555 01" is too short for United States \(US\)/],
    ['+44 20 7946 095', /not a valid number in United Kingdom \(GB\)|too short for United Kingdom/],
    ['+1 415 555 0100 1234 5678', /too long/],
    ['1-800-FLOWERS', /letters/],
    ['+1 415 555 0100 ext. 12', /Extensions/],
    ['+999 1234 5678', /no country code I know/],
    ['☎️', /not a phone number/],
    ['1'.repeat(3000), /at most 15 digits/],
  ];
  it.each(invalid)('%j is refused: %s', (input, problem) => {
    const result = parsePhoneNumber(input, 'US');
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.problem).toMatch(problem);
      expect(result.problem.length).toBeLessThanOrEqual(150);
    }
  });

  it('round-trips the example numbers of many regions, in national and international format', () => {
    const regions = Object.keys(examples).filter((region) => getExampleNumber(region as CountryCode, examples)) as CountryCode[];
    fc.assert(
      fc.property(fc.constantFrom(...regions), fc.boolean(), (region, national) => {
        const example = getExampleNumber(region, examples);
        if (!example?.isValid()) return true;
        const typed = national ? example.formatNational() : example.formatInternational();
        const result = parsePhoneNumber(typed, region);
        return result.ok && result.e164 === example.number;
      }),
      { numRuns: 300 },
    );
  });
});

describe('maskPhoneNumber', () => {
  it('keeps the country code and the last four digits only', () => {
    const masked = maskPhoneNumber('+14155550100');
    expect(masked).toMatch(/^\+1 .*•+.* 0100$/);
    expect(masked).not.toContain('5550');
  });
});
