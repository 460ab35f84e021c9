// The Vapi number form's fields, as data: which inputs each choice shows, which of them it
// requires, and which wait behind "More options". The form (sip-form.ts) draws from these tables
// and the reader (sip-read.ts) checks against them, so a field is added in one place.

export const sipKinds = ['free', 'sip'] as const;
export type SipKind = (typeof sipKinds)[number];

export const answerers = ['assistant', 'squad', 'workflow', 'server'] as const;
export type Answerer = (typeof answerers)[number];

/**
 * `/phone sip`: a Vapi number — a free US number or a SIP URI — answered by an assistant, a squad,
 * a workflow or your server. Inputs by action id (also their block id, unless versioned); the
 * choices dispatch an action that redraws the form.
 */
export const sipView = {
  callbackId: 'numbers.sip',
  name: 'name',
  kind: 'numbers.sip.kind',
  login: 'numbers.sip.login',
  answeredBy: 'numbers.sip.answered_by',
  more: 'numbers.sip.more',
  generate: 'numbers.sip.generate',
  areaCode: 'area_code',
  sipUser: 'sip_user',
  username: 'sip_username',
  password: 'sip_password',
  assistant: 'numbers.assistant',
  squad: 'numbers.squad',
  workflow: 'workflow',
  serverUrl: 'server_url',
  serverTimeout: 'server_timeout',
  fallback: 'fallback',
  fallbackExtension: 'fallback_extension',
  fallbackMessage: 'fallback_message',
  ringingSay: 'ringing_say',
  endingTransfer: 'ending_transfer',
  realm: 'sip_realm',
  reportChannel: 'report_channel',
} as const;

/** The ticked value of the sign-in checkbox. */
export const loginOn = 'on';

/** The inputs a choice shows or hides. */
export type SipTextInput =
  | 'areaCode'
  | 'sipUser'
  | 'username'
  | 'password'
  | 'workflow'
  | 'serverUrl'
  | 'serverTimeout'
  | 'fallback'
  | 'fallbackExtension'
  | 'fallbackMessage'
  | 'ringingSay'
  | 'endingTransfer'
  | 'realm';
export type SipPickerInput = 'assistant' | 'squad' | 'reportChannel';
export type SipInput = SipTextInput | SipPickerInput;

export const sipTextInputs: readonly SipTextInput[] = [
  'areaCode',
  'sipUser',
  'username',
  'password',
  'workflow',
  'serverUrl',
  'serverTimeout',
  'fallback',
  'fallbackExtension',
  'fallbackMessage',
  'ringingSay',
  'endingTransfer',
  'realm',
];

/** What the person chose: the form shows the inputs of these, and the reader reads only those. */
export interface SipChoices {
  kind: SipKind;
  /** A SIP URI whose callers sign in with a digest username and password. */
  login: boolean;
  answeredBy: Answerer;
}

/** Which choice shows an input: an error about an input that is not drawn goes there. */
export type SipChoice = 'kind' | 'login' | 'answeredBy';

/** An input where a choice shows it: required there (Slack asks for it, and so does the reader), or optional and then accepted empty. */
export interface Placement {
  input: SipInput;
  required?: true;
  shownBy: SipChoice;
}

const required = (input: SipInput, shownBy: SipChoice): Placement => ({ input, required: true, shownBy });
const optional = (input: SipInput, shownBy: SipChoice): Placement => ({ input, shownBy });

/** What most people need, shown first: the kind's own inputs… */
const byKind: Record<SipKind, Placement[]> = {
  free: [required('areaCode', 'kind')],
  sip: [required('sipUser', 'kind')],
};

/** …the digest pair, when a SIP URI's callers must sign in… */
const byLogin: Placement[] = [required('username', 'login'), required('password', 'login')];

/** …and whoever answers. */
const byAnswerer: Record<Answerer, Placement[]> = {
  assistant: [required('assistant', 'answeredBy')],
  squad: [required('squad', 'answeredBy')],
  workflow: [required('workflow', 'answeredBy')],
  server: [required('serverUrl', 'answeredBy')],
};

/** Less common, behind "More options": every one optional. */
const moreOptions: Record<Answerer, Placement[]> = {
  // Reporting makes Switchboard the number's server: offered where someone else answers the calls.
  assistant: [
    optional('serverUrl', 'answeredBy'),
    optional('serverTimeout', 'answeredBy'),
    optional('ringingSay', 'answeredBy'),
    optional('reportChannel', 'answeredBy'),
  ],
  squad: [
    optional('serverUrl', 'answeredBy'),
    optional('serverTimeout', 'answeredBy'),
    optional('ringingSay', 'answeredBy'),
    optional('reportChannel', 'answeredBy'),
  ],
  workflow: [
    optional('serverUrl', 'answeredBy'),
    optional('serverTimeout', 'answeredBy'),
    optional('ringingSay', 'answeredBy'),
    optional('reportChannel', 'answeredBy'),
  ],
  // Vapi transfers to the fallback destination only when no assistant, squad or workflow answers and the assistant-request fails.
  server: [
    optional('serverTimeout', 'answeredBy'),
    optional('fallback', 'answeredBy'),
    optional('fallbackExtension', 'answeredBy'),
    optional('fallbackMessage', 'answeredBy'),
    optional('endingTransfer', 'answeredBy'),
    optional('ringingSay', 'answeredBy'),
  ],
};

/** The SIP digest realm, behind "More options" when callers sign in. */
const byLoginMore: Placement[] = [optional('realm', 'login')];

/** The inputs the choices show first, in order. */
export function mainInputs(choices: SipChoices): { kind: Placement[]; login: Placement[]; answerer: Placement[] } {
  return {
    kind: byKind[choices.kind],
    login: choices.kind === 'sip' && choices.login ? byLogin : [],
    answerer: byAnswerer[choices.answeredBy],
  };
}

/** The inputs behind "More options" for these choices. */
export function moreInputs(choices: SipChoices): Placement[] {
  return [...moreOptions[choices.answeredBy], ...(choices.kind === 'sip' && choices.login ? byLoginMore : [])];
}

/** Every input that belongs to these choices, shown or behind "More options": the only ones a submission is read for. */
export function inputsOf(choices: SipChoices): Placement[] {
  const main = mainInputs(choices);
  return [...main.kind, ...main.login, ...main.answerer, ...moreInputs(choices)];
}

/** How each input looks: its label, length, and a word of help. */
export interface InputLook {
  label: string;
  /** What the reader says when a required input comes empty (Slack asks first; a payload may still lack it). */
  missing: string;
  max?: number;
  placeholder?: string;
  hint?: (sipHost: string) => string;
  /** Inputs Switchboard fills in itself (generated credentials) get a new block id each time, or Slack would keep what was typed. */
  versioned?: true;
}

export const inputLooks: Record<SipInput, InputLook> = {
  areaCode: {
    label: 'Area code',
    missing: 'Give the three-digit US area code the number should have, e.g. 415.',
    max: 3,
    placeholder: '415',
    hint: () => 'Three digits. Vapi allows only a few free numbers per account (5 at the time of writing).',
  },
  sipUser: {
    label: 'SIP user',
    missing: 'Give the SIP user: the part before the @.',
    max: 64,
    placeholder: 'front-desk',
    hint: (sipHost) => `The URI becomes sip:<user>@${sipHost}.`,
  },
  username: { label: 'SIP digest username', missing: 'Give the username callers sign in with.', max: 40, hint: () => '20–40 characters.', versioned: true },
  password: {
    label: 'SIP digest password',
    missing: 'Give the password callers sign in with.',
    max: 40,
    hint: () => '20–40 characters. Shown once after creation.',
    versioned: true,
  },
  assistant: { label: 'Assistant', missing: 'Choose the assistant that answers.' },
  squad: { label: 'Squad', missing: 'Choose the squad that answers.' },
  workflow: { label: 'Workflow ID', missing: 'Paste the ID of the workflow that answers.', max: 100, hint: () => 'Vapi has no workflow list: paste the ID.' },
  serverUrl: {
    label: 'Server URL',
    missing: 'Give the https URL Vapi asks who answers each call.',
    max: 1000,
    placeholder: 'https://example.com/vapi',
    hint: () => 'https only. Vapi sends this number’s requests and reports here; answered by your server, it asks here who answers each call.',
  },
  serverTimeout: {
    label: 'Server timeout, seconds',
    missing: 'Give a number of seconds.',
    max: 3,
    placeholder: '20',
    hint: () => '1–300 seconds; Vapi waits 20 by default.',
  },
  reportChannel: { label: 'Report calls and texts to', missing: 'Choose a channel.' },
  fallback: {
    label: 'Fallback destination',
    missing: 'Give a phone number or a sip: URI.',
    max: 300,
    hint: () =>
      'A phone number or a sip: URI. Vapi transfers a call here only when no assistant, squad or workflow answers and the assistant-request to your server URL fails; without one, that call is hung up.',
  },
  fallbackExtension: { label: 'Fallback extension', missing: 'Give the extension.', max: 10, hint: () => 'Dialled after a fallback phone number answers.' },
  fallbackMessage: { label: 'Fallback message', missing: 'Give the message.', max: 300, hint: () => 'Said to the caller before the transfer.' },
  ringingSay: {
    label: 'When a call rings, say',
    missing: 'Give the message.',
    max: 300,
    hint: () => 'A call.ringing hook: Vapi says this and ends the call instead of answering. Leave empty to answer as usual.',
  },
  endingTransfer: {
    label: 'If the assistant-request fails, transfer to',
    missing: 'Give a phone number or a sip: URI.',
    max: 300,
    hint: () => 'A call.ending hook: a phone number or a sip: URI the call goes to when your server does not name an assistant.',
  },
  realm: {
    label: 'SIP digest realm',
    missing: 'Give the realm.',
    max: 100,
    hint: (sipHost) => `The realm callers sign in to; Vapi uses ${sipHost} when left empty.`,
  },
};
