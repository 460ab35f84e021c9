import type { CountryCode, PhoneNumber, ValidatePhoneNumberLengthResult } from 'libphonenumber-js/max';
import { truncate } from '../../slack/blocks.js';
import { numberingPlans, phoneLibrary, phoneMetadata } from '../../util/phone-library.js';

export type PhoneNumberResult =
  | { ok: true; e164: string; national: string; international: string; country?: string; type?: string }
  | { ok: false; problem: string; understood?: string };

/** Far above any real number written with separators; a pasted paragraph is refused before it reaches the parser. */
const longestInput = 64;
const longestProblem = 150;
const longestQuote = 32;
const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });

/**
 * Reads a phone number typed in any common format. Gives E.164 and display forms, or a problem in
 * plain words for the modal field that says what was understood and for which country.
 */
export function parsePhoneNumber(input: string, defaultRegion: string): PhoneNumberResult {
  const typed = tidy(input);
  if (!typed) return refuse('Enter a phone number.');
  if (typed.length > longestInput) return refuse(`That is ${typed.length} characters, too long for a phone number.`);
  if (!/\p{Nd}/u.test(typed)) return refuse(`${quote(typed)} is not a phone number: it has no digits.`);

  const region = supportedRegion(defaultRegion);
  const reading = readDoubleZeroAsPlus(typed, region);
  const phone = phoneLibrary().parsePhoneNumberFromString(reading, region);
  if (phone?.ext) return refuseExtension(phone);
  if (/\p{L}/u.test(reading)) return refuseLetters(typed, region);

  const understood = understoodForm(reading, phone);
  const subject = typed.startsWith('+') || !understood ? quote(typed) : `${quote(typed)} (${shorten(understood)})`;
  const country = countryMeant(reading, phone, region);
  const lengthProblem = phoneLibrary().validatePhoneNumberLength(reading, region);
  if (lengthProblem) return refuse(describeLengthProblem(lengthProblem, subject, country, reading), understood);
  if (!phone) return refuse(`${subject} is not a phone number.`, understood);
  if (!phone.isValid()) return refuse(`${subject} is not a valid number${country ? ` in ${countryName(country)}` : ''}.`, understood);
  return accept(phone);
}

/** "+14155550100" → "+1 415 ••• 0100": enough to recognise a number in a log line or an audit post, not to dial it. */
export function maskPhoneNumber(e164: string): string {
  const phone = phoneLibrary().parsePhoneNumberFromString(e164.trim());
  if (!phone) return maskDigits(phoneLibrary().parseIncompletePhoneNumber(e164).replace(/\D/g, ''), 0);
  return `+${phone.countryCallingCode} ${maskDigits(phone.nationalNumber, 3)}`;
}

/** Keeps up to `headLength` leading and 4 trailing digits, and always hides at least 3. */
function maskDigits(digits: string, headLength: number): string {
  const alwaysHidden = 3;
  const tail = Math.max(0, Math.min(4, digits.length - alwaysHidden));
  const head = Math.max(0, Math.min(headLength, digits.length - tail - alwaysHidden));
  const hidden = Math.max(alwaysHidden, digits.length - head - tail);
  return [digits.slice(0, head), '•'.repeat(hidden), digits.slice(digits.length - tail)].filter(Boolean).join(' ');
}

/** Copied numbers carry typographic dashes, odd spaces and invisible direction marks, which the length check does not accept. */
function tidy(input: string): string {
  return input
    .normalize('NFKC')
    .replace(/\p{Cf}/gu, '')
    .replace(/[\p{Pd}\u2212]/gu, '-')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^tel:\s*/i, '');
}

function supportedRegion(region: string): CountryCode | undefined {
  const code = region.trim().toUpperCase();
  return phoneLibrary().isSupportedCountry(code) ? code : undefined;
}

/**
 * 00 is the international prefix in most of the world, so "00 49 …" means +49 even where people dial
 * out with something else (011 in the US). Where the region's own prefix also starts with 00, both
 * readings are possible: "0011 44 …" in Australia is its prefix 0011, "001415…" there means +1.
 * Written apart, as in "00 1 415 …", 00 can only be the prefix.
 */
function readDoubleZeroAsPlus(typed: string, region: CountryCode | undefined): string {
  if (!typed.startsWith('00')) return typed;
  const asPlus = `+${typed.slice(2)}`;
  if (/^00\D/.test(typed)) return asPlus;
  const ownPrefix = region && numberingPlanOf(region)?.IDDPrefix();
  if (!ownPrefix || !new RegExp(`^(?:${ownPrefix})`).test(phoneLibrary().parseIncompletePhoneNumber(typed))) return asPlus;
  return phoneLibrary().isValidPhoneNumber(asPlus) && !phoneLibrary().isValidPhoneNumber(typed, region) ? asPlus : typed;
}

function numberingPlanOf(country: CountryCode) {
  const plans = numberingPlans();
  plans.selectNumberingPlan(country);
  return plans.numberingPlan;
}

/** "+44 207946095": the calling code and the national digits as the parser took them, trunk prefix dropped. */
function understoodForm(reading: string, phone: PhoneNumber | undefined): string | undefined {
  if (phone) return `+${phone.countryCallingCode} ${phone.nationalNumber}`;
  if (!reading.startsWith('+')) return undefined;
  const digits = phoneLibrary().parseIncompletePhoneNumber(reading).slice(1);
  if (!digits) return undefined;
  const callingCode = callingCodeAtStart(reading);
  return callingCode ? `+${callingCode} ${digits.slice(callingCode.length)}`.trim() : `+${digits}`;
}

/** Invalid numbers have no country of their own: name the one their calling code, or else the default region, points to. */
function countryMeant(reading: string, phone: PhoneNumber | undefined, region: CountryCode | undefined): CountryCode | undefined {
  if (phone?.country) return phone.country;
  const callingCode = phone?.countryCallingCode ?? (reading.startsWith('+') ? callingCodeAtStart(reading) : undefined);
  if (!callingCode) return reading.startsWith('+') ? undefined : region;
  return region && phoneLibrary().getCountryCallingCode(region) === callingCode ? region : mainCountryOf(callingCode);
}

/** The parser gives up on numbers far too long or short; calling codes are prefix-free, so the first match is the one. */
function callingCodeAtStart(reading: string): string | undefined {
  const digits = phoneLibrary().parseIncompletePhoneNumber(reading).slice(1);
  return [1, 2, 3].map((length) => digits.slice(0, length)).find((code) => mainCountryOf(code));
}

/** The first country listed for a calling code is its main one: +1 is the United States, +44 the United Kingdom. */
function mainCountryOf(callingCode: string): CountryCode | undefined {
  return phoneMetadata().country_calling_codes[callingCode]?.[0];
}

/** What each length problem says, and how it ends without a country to name. */
const lengthWords = {
  TOO_SHORT: ['is too short', 'to be a phone number'],
  TOO_LONG: ['is too long', 'to be a phone number'],
  INVALID_LENGTH: ['has the wrong number of digits', 'for its country'],
} as const;

function describeLengthProblem(problem: ValidatePhoneNumberLengthResult, subject: string, country: CountryCode | undefined, reading: string): string {
  if (problem === 'NOT_A_NUMBER') return `${subject} is not a phone number.`;
  if (problem === 'INVALID_COUNTRY') {
    return reading.startsWith('+')
      ? `${subject} does not start with a known country code.`
      : `${subject} has no country code: start with + and the country code, e.g. +44 20 7946 0958.`;
  }
  const [what, otherwise] = lengthWords[problem];
  return withExpectedLength(`${subject} ${what} ${country ? `for ${countryName(country)}` : otherwise}`, country);
}

/** Adds "numbers there have 10 digits after +1", the count people can check against what they typed, when it fits. */
function withExpectedLength(sentence: string, country: CountryCode | undefined): string {
  const lengths = country ? (numberingPlanOf(country)?.possibleLengths() ?? []) : [];
  if (!country || lengths.length === 0) return `${sentence}.`;
  const longer = `${sentence}: numbers there have ${countList(lengths)} digits after +${phoneLibrary().getCountryCallingCode(country)}.`;
  return longer.length <= longestProblem ? longer : `${sentence}.`;
}

/** [7, 9, 10] → "7, 9 or 10"; [4, 5, …, 15] → "4 to 15"; [5, 6, 8, 9, …, 14] → "5, 6 or 8 to 14". */
function countList(lengths: number[]): string {
  const runs: number[][] = [];
  for (const length of lengths) {
    const run = runs.at(-1);
    if (run && run.at(-1) === length - 1) run.push(length);
    else runs.push([length]);
  }
  const parts = runs.flatMap((run) => (run.length >= 3 ? [`${run[0]} to ${run.at(-1)}`] : run.map(String)));
  return parts.length === 1 ? String(parts[0]) : `${parts.slice(0, -1).join(', ')} or ${parts.at(-1)}`;
}

/** "the United Kingdom (GB)", "Germany (DE)": with the code, because the default region is configured by it. */
function countryName(country: CountryCode): string {
  const name = regionNames.of(country) ?? country;
  const takesThe = /^(United|Philippines|Bahamas|Gambia|Maldives|Comoros|Seychelles)\b|\b(Republic|Islands|Territory|Territories|Netherlands)\b/;
  return `${takesThe.test(name) ? 'the ' : ''}${name} (${country})`;
}

function refuseExtension(phone: PhoneNumber): PhoneNumberResult {
  const number = phoneLibrary().formatIncompletePhoneNumber(phone.number);
  return refuse(`Extensions cannot be stored. Enter ${number} without the extension ${shorten(phone.ext ?? '')}.`, number);
}

/** Vanity numbers get the number their letters spell on a keypad, when that is a valid number. */
function refuseLetters(typed: string, region: CountryCode | undefined): PhoneNumberResult {
  const spelled = keypadNumber(typed, region);
  if (spelled) return refuse(`${quote(typed)} has letters, which cannot be stored. On a keypad it is ${spelled}: enter the digits instead.`, spelled);
  return refuse(`${quote(typed)} has letters: a phone number has only digits, spaces and + - ( ).`);
}

function keypadNumber(typed: string, region: CountryCode | undefined): string | undefined {
  if (!/^[\d\sA-Za-z+().-]+$/.test(typed)) return undefined;
  const keypad = '22233344455566677778889999';
  const dialled = readDoubleZeroAsPlus(
    typed.replace(/[A-Za-z]/g, (letter) => keypad[letter.toUpperCase().charCodeAt(0) - 65] ?? letter),
    region,
  );
  const phone = phoneLibrary().parsePhoneNumberFromString(dialled, region);
  return phone?.isValid() && !phoneLibrary().validatePhoneNumberLength(dialled, region) ? phone.formatInternational() : undefined;
}

function accept(phone: PhoneNumber): PhoneNumberResult {
  const type = phone.getType();
  return {
    ok: true,
    e164: phone.number,
    national: phone.formatNational(),
    international: phone.formatInternational(),
    ...(phone.country ? { country: phone.country } : {}),
    ...(type ? { type } : {}),
  };
}

/** Every problem goes inline under a modal field; the length checks above keep them short, this is the backstop. */
function refuse(problem: string, understood?: string): PhoneNumberResult {
  return { ok: false, problem: truncate(problem, longestProblem), ...(understood ? { understood } : {}) };
}

const quote = (text: string) => `"${shorten(text)}"`;

const shorten = (text: string) => truncate(text, longestQuote);
