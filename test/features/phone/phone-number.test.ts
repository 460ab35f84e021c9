import fc from 'fast-check';
import examples from 'libphonenumber-js/examples.mobile.json';
import { type CountryCode, getCountries, getExampleNumber, type PhoneNumber } from 'libphonenumber-js/max';
import { describe, expect, it } from 'vitest';
import { maskPhoneNumber, type PhoneNumberResult, parsePhoneNumber } from '../../../src/features/phone/phone-number.js';

function problemOf(result: PhoneNumberResult): string {
  if (result.ok) throw new Error(`expected a problem, got ${result.e164}`);
  return result.problem;
}

describe('parsePhoneNumber reads the formats people type and paste', () => {
  it.each([
    ['(415) 555-0100', 'US', '+14155550100'],
    ['415.555.0100', 'US', '+14155550100'],
    ['415 555 0100', 'US', '+14155550100'],
    ['1 415 555 0100', 'US', '+14155550100'],
    ['+1-415-555-0100', 'US', '+14155550100'],
    ['+1 (415) 555-0100', 'GB', '+14155550100'],
    ['+44 20 7946 0958', 'US', '+442079460958'],
    ['+44 (0)20 7946 0958', 'US', '+442079460958'],
    ['020 7946 0958', 'GB', '+442079460958'],
    ['030 901820', 'DE', '+4930901820'],
    ['00 49 30 901820', 'US', '+4930901820'],
    ['0049 30 901820', 'US', '+4930901820'],
    ['00 1 415 555 0100', 'GB', '+14155550100'],
    ['011 44 20 7946 0958', 'US', '+442079460958'],
    ['0011 44 20 7946 0958', 'AU', '+442079460958'],
    ['0044 20 7946 0958', 'AU', '+442079460958'],
    ['00 1 415 555 0100', 'KR', '+14155550100'],
    ['tel:+14155550100', 'US', '+14155550100'],
    ['TEL:+1-415-555-0100', 'US', '+14155550100'],
    ['  +14155550100  ', 'US', '+14155550100'],
    ['+1\u00a0415\u00a0555\u00a00100', 'US', '+14155550100'],
    ['+1\u202f415\u202f555\u202f0100', 'US', '+14155550100'],
    ['+1 415\u2013555\u20130100', 'US', '+14155550100'],
    ['+1 415\u2011555\u20110100', 'US', '+14155550100'],
    ['\uff0b\uff11 \uff14\uff11\uff15 \uff15\uff15\uff15 \uff10\uff11\uff10\uff10', 'US', '+14155550100'],
    ['\u202a+1 415 555 0100\u202c', 'US', '+14155550100'],
    ['\u200e+44 20 7946 0958', 'US', '+442079460958'],
    ['+800 1234 5678', 'US', '+80012345678'],
    ['415 555 0100', ' us ', '+14155550100'],
  ])('%j with default region %j → %s', (input, region, e164) => {
    expect(parsePhoneNumber(input, region)).toMatchObject({ ok: true, e164 });
  });

  it('gives the national and international forms, the country and the type', () => {
    expect(parsePhoneNumber('+442079460958', 'US')).toEqual({
      ok: true,
      e164: '+442079460958',
      national: '020 7946 0958',
      international: '+44 20 7946 0958',
      country: 'GB',
      type: 'FIXED_LINE',
    });
    expect(parsePhoneNumber('(415) 555-0100', 'US')).toMatchObject({ national: '(415) 555-0100', international: '+1 415 555 0100', country: 'US' });
  });

  it('names the territory a shared calling code belongs to: +44 7911 is Guernsey', () => {
    expect(parsePhoneNumber('+44 7911 123456', 'GB')).toMatchObject({ ok: true, country: 'GG', type: 'MOBILE' });
  });

  it('leaves out the country for non-geographic numbers', () => {
    const result = parsePhoneNumber('+800 1234 5678', 'US');
    expect(result).toMatchObject({ ok: true, type: 'TOLL_FREE' });
    expect(result).not.toHaveProperty('country');
  });
});

describe('parsePhoneNumber refuses what cannot be stored', () => {
  it.each([
    ['', 'US', /^Enter a phone number\.$/],
    [' \u00a0\u200b ', 'US', /^Enter a phone number\.$/],
    ['+1 415 555 01', 'US', /too short for the United States \(US\)/],
    ['12', 'US', /too short for the United States \(US\)/],
    ['+442', 'US', /too short for the United Kingdom \(GB\)/],
    ['+1 415 555 0100 1234 5678', 'US', /too long for the United States \(US\)/],
    ['9'.repeat(40), 'US', /too long for the United States \(US\)/],
    ['+44 20 7946 095', 'US', /not a valid number in the United Kingdom \(GB\)/],
    ['020 7946 095', 'GB', /not a valid number in the United Kingdom \(GB\)/],
    ['+1 555 555 0100', 'US', /not a valid number in the United States \(US\)/],
    ['+82 1234567', 'US', /wrong number of digits for South Korea \(KR\)/],
    ['+999 1234 5678', 'US', /does not start with a known country code/],
    ['1-800-FLOWERS', 'US', /has letters/],
    ['+1 415 555 0100 (home)', 'US', /has letters/],
    ['call me maybe', 'US', /no digits/],
    ['☎️', 'US', /no digits/],
    ['+1 415 555 0100 x123', 'US', /^Extensions cannot be stored/],
    ['+1 415 555 0100 ext. 12', 'US', /^Extensions cannot be stored/],
    ['415-555-0100 #7', 'US', /^Extensions cannot be stored/],
    ['tel:+1-415-555-0100;ext=12', 'US', /^Extensions cannot be stored/],
    ['5'.repeat(3000), 'US', /3000 characters, too long/],
  ])('%j with default region %s: %s', (input, region, problem) => {
    const text = problemOf(parsePhoneNumber(input, region));
    expect(text).toMatch(problem);
    expect(text.length).toBeLessThanOrEqual(150);
  });

  it('says what it understood and for which country, with the digits expected there', () => {
    expect(parsePhoneNumber('+1 415 555 01', 'US')).toEqual({
      ok: false,
      problem: '"+1 415 555 01" is too short for the United States (US): numbers there have 10 digits after +1.',
      understood: '+1 41555501',
    });
    expect(parsePhoneNumber('+44 20 7946 095', 'US')).toEqual({
      ok: false,
      problem: '"+44 20 7946 095" is not a valid number in the United Kingdom (GB).',
      understood: '+44 207946095',
    });
  });

  it('shows the international reading of a number typed without a country code', () => {
    expect(problemOf(parsePhoneNumber('020 7946 095', 'GB'))).toBe('"020 7946 095" (+44 207946095) is not a valid number in the United Kingdom (GB).');
    expect(problemOf(parsePhoneNumber('011 44 20 7946 095', 'US'))).toBe(
      '"011 44 20 7946 095" (+44 207946095) is not a valid number in the United Kingdom (GB).',
    );
  });

  it('lists the possible lengths of countries with several', () => {
    expect(problemOf(parsePhoneNumber('+44 20', 'US'))).toMatch(/numbers there have 7, 9 or 10 digits after \+44\.$/);
    expect(problemOf(parsePhoneNumber('+49 1234567890123456', 'US'))).toMatch(/numbers there have 4 to 15 digits after \+49\.$/);
  });

  it('spells out a vanity number in digits', () => {
    expect(parsePhoneNumber('1-800-FLOWERS', 'US')).toEqual({
      ok: false,
      problem: '"1-800-FLOWERS" has letters, which cannot be stored. On a keypad it is +1 800 356 9377: enter the digits instead.',
      understood: '+1 800 356 9377',
    });
  });

  it('offers the number without its extension', () => {
    expect(parsePhoneNumber('+1 415 555 0100 x123', 'US')).toEqual({
      ok: false,
      problem: 'Extensions cannot be stored. Enter +1 415 555 0100 without the extension 123.',
      understood: '+1 415 555 0100',
    });
  });

  it('asks for a country code when the default region is not one it knows', () => {
    for (const region of ['', 'XX', 'USA', '001']) {
      expect(problemOf(parsePhoneNumber('415 555 0100', region))).toBe(
        '"415 555 0100" has no country code: start with + and the country code, e.g. +44 20 7946 0958.',
      );
      expect(parsePhoneNumber('+44 20 7946 0958', region)).toMatchObject({ ok: true, e164: '+442079460958' });
    }
  });
});

describe('parsePhoneNumber properties', () => {
  const regions = getCountries().filter((region) => getExampleNumber(region, examples)?.isValid());
  const exampleOf = (region: CountryCode) => getExampleNumber(region, examples) as PhoneNumber;
  const writings: Record<string, (phone: PhoneNumber) => string> = {
    international: (phone) => phone.formatInternational(),
    e164: (phone) => phone.number,
    uri: (phone) => phone.getURI(),
    'international prefix 00': (phone) => `00 ${phone.countryCallingCode} ${phone.nationalNumber}`,
  };

  it('has example numbers for most regions', () => {
    expect(regions.length).toBeGreaterThan(200);
  });

  it('reads back the national form of any region’s example number, in that region', () => {
    fc.assert(
      fc.property(fc.constantFrom(...regions), (region) => {
        const example = exampleOf(region);
        expect(parsePhoneNumber(example.formatNational(), region)).toMatchObject({ ok: true, e164: example.number });
      }),
      { numRuns: 400 },
    );
  });

  it('reads back international writings of any example number, whatever the default region', () => {
    fc.assert(
      fc.property(fc.constantFrom(...regions), fc.constantFrom(...regions), fc.constantFrom(...Object.keys(writings)), (region, defaultRegion, writing) => {
        const example = exampleOf(region);
        const typed = writings[writing]?.(example) ?? '';
        expect(parsePhoneNumber(typed, defaultRegion)).toMatchObject({ ok: true, e164: example.number });
      }),
      { numRuns: 1000 },
    );
  });

  it('answers anything typed with E.164 or a short problem, never an exception', () => {
    const phoneish = fc.array(fc.constantFrom(...'0123456789 +-().#xX\u00a0'), { maxLength: 40 }).map((chars) => chars.join(''));
    fc.assert(
      fc.property(fc.oneof(phoneish, fc.string({ unit: 'grapheme', maxLength: 80 })), fc.constantFrom('US', 'GB', 'DE', 'AU', 'KR', 'XX'), (typed, region) => {
        const result = parsePhoneNumber(typed, region);
        if (result.ok) {
          expect(result.e164).toMatch(/^\+[1-9]\d{1,14}$/);
        } else {
          expect(result.problem.length).toBeGreaterThan(0);
          expect(result.problem.length).toBeLessThanOrEqual(150);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('maskPhoneNumber', () => {
  it.each([
    ['+14155550100', '+1 415 ••• 0100'],
    ['+442079460958', '+44 207 ••• 0958'],
    ['+4930901820', '+49 3 ••• 1820'],
    ['+3547654321', '+354 ••• 4321'],
    ['+6834002', '+683 ••• 2'],
    ['+99912345678', '••••••• 5678'],
    ['not a number', '•••'],
    ['', '•••'],
  ])('%j → %j', (e164, masked) => {
    expect(maskPhoneNumber(e164)).toBe(masked);
  });

  it('keeps the calling code and the last digits of any example number, and hides at least three', () => {
    const regions = getCountries().filter((region) => getExampleNumber(region, examples)?.isValid());
    fc.assert(
      fc.property(fc.constantFrom(...regions), (region) => {
        const example = getExampleNumber(region, examples) as PhoneNumber;
        const masked = maskPhoneNumber(example.number);
        expect(masked.startsWith(`+${example.countryCallingCode} `)).toBe(true);
        expect(masked.match(/•/g)?.length).toBeGreaterThanOrEqual(3);
        expect(masked.replace(/\D/g, '').length).toBeLessThanOrEqual(example.number.length - 1 - 3);
        expect(example.number.endsWith(masked.split(' ').at(-1) ?? '')).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
