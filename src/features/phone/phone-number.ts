import { type CountryCode, isSupportedCountry, parsePhoneNumberFromString, validatePhoneNumberLength } from 'libphonenumber-js/max';
import metadata from 'libphonenumber-js/metadata.max.json';

export type PhoneNumberResult =
  | { ok: true; e164: string; national: string; international: string; country?: string; type?: string }
  | { ok: false; problem: string; understood?: string };

const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });
const maxInputLength = 64;

/**
 * Reads a phone number typed in any common format and returns it in E.164, or a problem in plain
 * words that shows what was understood. Novu does not check the format, so this is the check.
 */
export function parsePhoneNumber(input: string, defaultRegion: string): PhoneNumberResult {
  const typed = normalise(input);
  if (!typed) return { ok: false, problem: 'Enter a phone number.' };
  if (typed.length > maxInputLength) return { ok: false, problem: `That is ${typed.length} characters; a phone number has at most 15 digits.` };
  if (/\d\s*(x|ext\.?|extension|#)\s*\d+$/i.test(typed))
    return { ok: false, problem: 'Extensions cannot be stored in a phone endpoint: remove the part after the number.' };
  if (/\p{L}/u.test(typed))
    return { ok: false, problem: `"${typed}" is not a phone number: use digits only (letters such as 1-800-FLOWERS cannot be dialled by Novu).` };
  if (!/\d/.test(typed)) return { ok: false, problem: `"${typed}" is not a phone number.` };

  const region = regionOf(defaultRegion);
  const candidate = typed.replace(/^00\s*/, '+');
  const lengthProblem = validatePhoneNumberLength(candidate, region);
  const parsed = parsePhoneNumberFromString(candidate, region);
  const understood = parsed?.formatInternational() ?? candidate;
  const where = countryLabel(parsed?.country ?? (candidate.startsWith('+') ? mainCountryOf(parsed?.countryCallingCode) : region));
  switch (lengthProblem) {
    case 'INVALID_COUNTRY':
      return { ok: false, problem: `"${candidate}" has no country code I know. Start with + and the country code, e.g. +44 20 7946 0958.`, understood };
    case 'TOO_SHORT':
      return { ok: false, problem: `"${typed}" is too short for ${where ?? 'a phone number'}.`, understood };
    case 'TOO_LONG':
      return { ok: false, problem: `"${typed}" is too long for ${where ?? 'a phone number'}.`, understood };
    case 'NOT_A_NUMBER':
      return { ok: false, problem: `"${typed}" is not a phone number.` };
    case 'INVALID_LENGTH':
      return { ok: false, problem: `"${understood}" has the wrong number of digits for ${where ?? 'its country'}.`, understood };
  }
  if (!parsed?.isValid()) {
    return { ok: false, problem: `"${understood}" is not a valid number${where ? ` in ${where}` : ''}.`, understood };
  }
  return {
    ok: true,
    e164: parsed.number,
    national: parsed.formatNational(),
    international: parsed.formatInternational(),
    ...(parsed.country ? { country: parsed.country } : {}),
    ...(parsed.getType() ? { type: parsed.getType() } : {}),
  };
}

/** "+14155550100" → "+1 415 ••• 0100": enough to recognise a number in a log or audit post, not to dial it. */
export function maskPhoneNumber(e164: string): string {
  const parsed = parsePhoneNumberFromString(e164);
  const digits = e164.replace(/\D/g, '');
  if (!parsed || digits.length < 7) return '•••';
  const national = parsed.nationalNumber;
  const hidden = national.length - 4 - Math.min(3, Math.max(0, national.length - 7));
  return `+${parsed.countryCallingCode} ${national.slice(0, national.length - 4 - hidden)} ${'•'.repeat(Math.max(3, hidden))} ${national.slice(-4)}`.replace(
    /\s+/g,
    ' ',
  );
}

function normalise(input: string): string {
  return input
    .normalize('NFKC')
    .replace(/[\u00a0\u2000-\u200b\u202f]/g, ' ')
    .replace(/[\u2010-\u2015\u2212]/g, '-')
    .replace(/^tel:/i, '')
    .trim();
}

function regionOf(region: string): CountryCode {
  const upper = region.toUpperCase();
  return (isSupportedCountry(upper) ? upper : 'US') as CountryCode;
}

/** The main country of a calling code: +1 is the United States, +44 the United Kingdom. */
function mainCountryOf(callingCode: string | undefined): string | undefined {
  if (!callingCode) return undefined;
  return (metadata as { country_calling_codes: Record<string, string[]> }).country_calling_codes[callingCode]?.[0];
}

function countryLabel(country: string | undefined): string | undefined {
  if (!country) return undefined;
  return `${regionNames.of(country) ?? country} (${country})`;
}
