import type { CreateVapiPhoneNumberBody } from '../../backends/vapi/schemas.js';
import { blockOf, type StateValues } from '../../slack/view-state.js';
import { parsePhoneNumber } from '../phone/phone-number.js';
import { destinationOf } from './change-model.js';
import { inputLooks, inputsOf, type Placement, type SipInput, sipView } from './sip-fields.js';
import { choicesOf, maxNameLength, type SipPrefill, sipPrefillOf } from './sip-form.js';

export interface SipRequest {
  body: CreateVapiPhoneNumberBody;
  /** Shown once in the result when Switchboard generated it; never stored in plain text. */
  password?: string;
  warning?: string;
  /** The channel its calls are reported in (checked against the workspace before anything is sent). */
  reportChannel?: string;
}

/** A submitted form: its state, and the blocks it was drawn with (an error can only go under an input that is there). */
export interface SubmittedSipForm {
  state: { values: StateValues };
  blocks?: readonly { type?: string; block_id?: string }[];
}

type Field = SipInput | 'name';
type Problems = Partial<Record<Field, string>>;

const sipUserPattern = /^[a-zA-Z0-9][a-zA-Z0-9._~+-]{0,63}$/;

/**
 * Checks everything Vapi would check, and a little more, before anything is sent; errors by block.
 * The choices are the submitted ones, and only the inputs they show are read: a value of an input
 * they hide is never used, whether or not it came with the form. An input they require is required
 * here too (Slack asks for it first); an optional one is accepted empty.
 */
export function readSipForm(view: SubmittedSipForm, sipHost: string, defaultRegion: string): SipRequest | { errors: Record<string, string> } {
  const typed = sipPrefillOf(view.state.values);
  const choices = choicesOf(typed);
  const placements = inputsOf(choices);
  const form = onlyInputsOf(typed, placements);
  const problems: Problems = {};
  if (!form.name) problems.name = `Give the number a name (at most ${maxNameLength} characters).`;
  else if (form.name.length > maxNameLength) problems.name = `At most ${maxNameLength} characters (this is ${form.name.length}).`;
  for (const { input, required } of placements) if (required && !form[input]) problems[input] = inputLooks[input].missing;
  if (form.areaCode && !/^\d{3}$/.test(form.areaCode)) problems.areaCode = 'A US area code is exactly three digits, e.g. 415.';
  const sipUser = form.sipUser ? readSipUser(form.sipUser, sipHost) : undefined;
  if (sipUser && !sipUser.ok) problems.sipUser = sipUser.problem;
  checkCredential(form.username, 'username', problems);
  checkCredential(form.password, 'password', problems);
  checkServer(form, problems);
  if (form.reportChannel && form.serverUrl) {
    problems.reportChannel = 'Reporting makes Switchboard the number’s server URL: leave Server URL empty, or report the calls from your own server.';
  }
  const fallback = readDestination(form.fallback, defaultRegion, problems, 'fallback');
  const endingTransfer = readDestination(form.endingTransfer, defaultRegion, problems, 'endingTransfer');
  if (form.fallbackExtension && !/^[0-9*#]{1,10}$/.test(form.fallbackExtension)) problems.fallbackExtension = 'Up to 10 digits (and * or #).';
  if (form.fallbackExtension && fallback && /^sips?:/i.test(fallback))
    problems.fallbackExtension = 'An extension is dialled after a phone number, not a SIP URI.';
  if ((form.fallbackExtension || form.fallbackMessage) && !form.fallback) problems.fallback = 'Give the fallback destination the extension or message is for.';
  if (form.realm && !/^[a-zA-Z0-9.-]{1,100}$/.test(form.realm)) problems.realm = 'A host name, such as sip.example.com.';
  if (Object.keys(problems).length > 0) return { errors: placeErrors(problems, view, placements) };
  const hooks = [
    ...(form.ringingSay ? [{ on: 'call.ringing' as const, do: [{ type: 'say' as const, exact: form.ringingSay }] }] : []),
    ...(endingTransfer ? [{ on: 'call.ending' as const, do: { type: 'transfer' as const, destination: destinationOf({ to: endingTransfer }) } }] : []),
  ];
  const fallbackDestination =
    fallback &&
    destinationOf({
      to: fallback,
      ...(form.fallbackExtension ? { extension: form.fallbackExtension } : {}),
      ...(form.fallbackMessage ? { message: form.fallbackMessage } : {}),
    });

  const body: CreateVapiPhoneNumberBody = {
    provider: 'vapi',
    name: form.name ?? '',
    ...(choices.kind === 'free' ? { numberDesiredAreaCode: form.areaCode } : { sipUri: `sip:${sipUser?.ok ? sipUser.user : ''}@${sipHost}` }),
    ...(form.username && form.password
      ? { authentication: { username: form.username, password: form.password, ...(form.realm ? { realm: form.realm } : {}) } }
      : {}),
    ...(form.assistant ? { assistantId: form.assistant.id } : {}),
    ...(form.squad ? { squadId: form.squad.id } : {}),
    ...(form.workflow ? { workflowId: form.workflow } : {}),
    ...(form.serverUrl ? { server: { url: form.serverUrl, ...(form.serverTimeout ? { timeoutSeconds: Number(form.serverTimeout) } : {}) } } : {}),
    ...(fallbackDestination ? { fallbackDestination } : {}),
    ...(hooks.length ? { hooks } : {}),
  };
  return {
    body,
    ...(form.password ? { password: form.password } : {}),
    ...(form.reportChannel ? { reportChannel: form.reportChannel } : {}),
    ...(choices.answeredBy === 'server'
      ? { warning: 'No assistant, squad or workflow: Vapi will ask your server URL (assistant-request) who answers each call.' }
      : {}),
  };
}

/** A phone number (as E.164) or a SIP URI, as typed; a problem goes under `field`. */
function readDestination(typed: string | undefined, defaultRegion: string, problems: Problems, field: 'fallback' | 'endingTransfer'): string | undefined {
  if (!typed) return undefined;
  if (/^sips?:/i.test(typed)) {
    if (/^sips?:[^@\s]+@\S+$/i.test(typed)) return typed;
    problems[field] = 'A SIP URI looks like sip:user@example.com.';
    return undefined;
  }
  const parsed = parsePhoneNumber(typed, defaultRegion);
  if (parsed.ok) return parsed.e164;
  problems[field] = parsed.problem;
  return undefined;
}

/** The name, and the values of the inputs the choices show; nothing else. */
function onlyInputsOf(typed: SipPrefill, placements: Placement[]): SipPrefill {
  const form: SipPrefill = { name: typed.name };
  for (const { input } of placements) Object.assign(form, { [input]: typed[input] });
  return form;
}

/**
 * Each problem under its input, when the form shows it; else under the choice that shows that
 * input (a redraw that did not happen leaves a choice without its inputs), else under the name.
 */
function placeErrors(problems: Problems, view: SubmittedSipForm, placements: Placement[]): Record<string, string> {
  const values = view.state.values;
  const drawn = new Set(view.blocks ? view.blocks.filter((block) => block.type === 'input').map((block) => block.block_id) : Object.keys(values));
  const errors: Record<string, string> = {};
  for (const [field, problem] of Object.entries(problems) as [Field, string][]) {
    const own = blockOf(values, sipView[field]);
    const shownBy = placements.find(({ input }) => input === field)?.shownBy;
    const place = [own, ...(shownBy ? [sipView[shownBy]] : []), sipView.kind, sipView.name].find((block) => drawn.has(block)) ?? own;
    const text = place === own ? problem : `${field === 'name' ? 'Name' : inputLooks[field].label}: ${problem} (choose again to show it)`;
    errors[place] = errors[place] ? `${errors[place]} ${text}` : text;
  }
  return errors;
}

/** The SIP user, typed as a user or pasted as a whole URI (`sip:front-desk@sip.vapi.ai`, with stray spaces or angle brackets). */
function readSipUser(typed: string, sipHost: string): { ok: true; user: string } | { ok: false; problem: string } {
  const cleaned = typed.trim().replace(/^<|>$/g, '').trim();
  if (!cleaned) return { ok: false, problem: inputLooks.sipUser.missing };
  const uri = /^sips?:([^@\s]+)@([^;>\s]+)/i.exec(cleaned);
  if (uri?.[2] && uri[2].toLowerCase() !== sipHost) {
    return { ok: false, problem: `That SIP URI is on ${uri[2]}; numbers here are on ${sipHost} (sip:<user>@${sipHost}).` };
  }
  const user = uri?.[1] ?? cleaned;
  if (!sipUserPattern.test(user)) return { ok: false, problem: 'Letters, digits and . _ ~ + - (up to 64), starting with a letter or digit.' };
  return { ok: true, user };
}

function checkCredential(value: string | undefined, what: 'username' | 'password', problems: Problems): void {
  if (value && (value.length < 20 || value.length > 40)) problems[what] = `The ${what} must be 20–40 characters (this is ${value.length}).`;
}

function checkServer(form: SipPrefill, problems: Problems): void {
  if (form.serverUrl && !isHttpsUrl(form.serverUrl)) problems.serverUrl = 'Use an https:// URL.';
  if (form.serverTimeout) {
    const seconds = Number(form.serverTimeout);
    if (!Number.isInteger(seconds) || seconds < 1 || seconds > 300) problems.serverTimeout = 'A whole number of seconds from 1 to 300.';
    else if (!form.serverUrl) problems.serverTimeout = 'A timeout is for a server URL: give one too, or leave this empty.';
  }
}

function isHttpsUrl(value: string): boolean {
  try {
    return new URL(value).protocol === 'https:';
  } catch {
    return false;
  }
}
