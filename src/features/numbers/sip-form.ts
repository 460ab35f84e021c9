import { randomBytes } from 'node:crypto';
import type { ViewStateValue } from '@slack/bolt';
import type { KnownBlock, View } from '@slack/types';
import type { CreateVapiPhoneNumberBody } from '../../backends/vapi/schemas.js';
import { actions, button, context, formModal, input, pickerInput, plain, textInput } from '../../slack/blocks.js';
import { md } from '../../slack/mrkdwn.js';
import { originMetadata, type ShareOrigin, shareBlock } from '../../slack/share.js';
import { blockOf, inputState, textOf } from '../../slack/view-state.js';
import { parsePhoneNumber } from '../phone/phone-number.js';

/** `/phone sip`: a Vapi number — a free US number or a SIP URI — answered by an assistant, a squad or a workflow. */
export const sipView = {
  callbackId: 'numbers.sip',
  name: 'name',
  kind: 'kind',
  areaCode: 'area_code',
  sipUser: 'sip_user',
  username: 'sip_username',
  password: 'sip_password',
  generate: 'numbers.sip.generate',
  assistant: 'numbers.assistant',
  squad: 'numbers.squad',
  workflow: 'workflow',
  serverUrl: 'server_url',
  serverTimeout: 'server_timeout',
  fallback: 'fallback',
} as const;

type StateValues = Record<string, Record<string, ViewStateValue>>;

/** The form's text inputs, by their name in `sipView`. */
const textFields = ['name', 'areaCode', 'sipUser', 'username', 'password', 'workflow', 'serverUrl', 'serverTimeout', 'fallback'] as const;

export type SipPrefill = Partial<Record<(typeof textFields)[number], string>> & {
  /** Bumped each time generated credentials are put in: their inputs get new block ids, or Slack would keep what was there. */
  credentialsVersion?: number;
  kind?: 'free' | 'sip';
  assistant?: { id: string; label: string };
  squad?: { id: string; label: string };
  origin?: ShareOrigin;
};

export interface SipRequest {
  body: CreateVapiPhoneNumberBody;
  /** Shown once in the result when Switchboard generated it; never stored in plain text. */
  password?: string;
  warning?: string;
}

/** Vapi takes 40 characters; the request's marker (` #sb-xxxxxxxx`) takes 12 of them. */
const maxNameLength = 28;

const sipUserPattern = /^[a-zA-Z0-9][a-zA-Z0-9._~+-]{0,63}$/;

/** A strong digest pair within Vapi's 20–40 characters. */
export function generateSipCredentials(): { username: string; password: string } {
  return { username: `sb${randomBytes(12).toString('hex')}`, password: randomBytes(24).toString('base64url') };
}

export function sipModal(prefill: SipPrefill, sipHost: string): View {
  const kinds = [
    { text: plain('Free US number'), value: 'free', description: plain('Vapi picks a number in the area code; it takes a few minutes to activate.') },
    { text: plain('SIP URI'), value: 'sip', description: plain(`sip:<user>@${sipHost}`) },
  ];
  const credential = (id: string, label: string, initial: string | undefined, hint: string) =>
    text(id, label, initial, { max: 40, optional: true, hint }, versioned(id, prefill.credentialsVersion));
  const blocks: KnownBlock[] = [
    text(sipView.name, 'Name', prefill.name, {
      max: maxNameLength,
      placeholder: 'Front desk line',
      hint: `How this number is listed in Vapi and in /phone numbers (up to ${maxNameLength} characters).`,
    }),
    input(sipView.kind, 'Kind', {
      type: 'radio_buttons',
      action_id: sipView.kind,
      options: kinds,
      initial_option: prefill.kind === 'sip' ? kinds[1] : kinds[0],
    }),
    text(sipView.areaCode, 'Area code (free number)', prefill.areaCode, {
      max: 3,
      optional: true,
      placeholder: '415',
      hint: 'Three digits. Vapi allows only a few free numbers per account (5 at the time of writing).',
    }),
    text(sipView.sipUser, 'SIP user (SIP URI)', prefill.sipUser, {
      max: 64,
      optional: true,
      placeholder: 'front-desk',
      hint: `The URI becomes sip:<user>@${sipHost}.`,
    }),
    credential(sipView.username, 'SIP digest username', prefill.username, '20–40 characters.'),
    credential(sipView.password, 'SIP digest password', prefill.password, '20–40 characters. Shown once after creation.'),
    actions('sip_generate', [button('Generate a strong pair', sipView.generate)]),
    picker(sipView.assistant, 'Assistant', prefill.assistant),
    picker(sipView.squad, 'Squad', prefill.squad),
    text(sipView.workflow, 'Workflow ID', prefill.workflow, { max: 100, optional: true, hint: 'Vapi has no workflow list: paste the ID.' }),
    context(md`Choose one of assistant, squad or workflow — or none, and Vapi asks your server URL (\`assistant-request\`).`),
    text(sipView.serverUrl, 'Server URL', prefill.serverUrl, { max: 1000, optional: true, placeholder: 'https://example.com/vapi' }),
    text(sipView.serverTimeout, 'Server timeout, seconds', prefill.serverTimeout, { max: 3, optional: true, placeholder: '20' }),
    text(sipView.fallback, 'Fallback number', prefill.fallback, {
      max: 64,
      optional: true,
      hint: 'Only without an assistant, squad or workflow: when the assistant-request to your server URL fails, Vapi transfers the call here instead of hanging up.',
    }),
  ];
  if (prefill.origin) blocks.push(shareBlock());
  return formModal({ callbackId: sipView.callbackId, privateMetadata: originMetadata(prefill.origin) }, 'New Vapi number', 'Create', blocks);
}

function versioned(id: string, version: number | undefined): string {
  return version ? `${id}.v${version}` : id;
}

function text(id: string, label: string, initial: string | undefined, options: Parameters<typeof textInput>[3], block = id): KnownBlock {
  return textInput({ block, action: id }, label, initial, options);
}

function picker(id: string, label: string, initial: { id: string; label: string } | undefined): KnownBlock {
  return pickerInput({ block: id, action: id }, label, undefined, { placeholder: 'Type to search', optional: true, initial });
}

/** Which generation of credential inputs a drawn form holds (from the block ids it was drawn with). */
export function readCredentialsVersion(blocks: readonly { block_id?: string }[] | undefined): number | undefined {
  const id = blocks?.find((block) => block.block_id?.startsWith(`${sipView.username}.v`))?.block_id;
  const version = id ? Number(id.slice(sipView.username.length + 2)) : undefined;
  return version && Number.isInteger(version) ? version : undefined;
}

/** What the person typed, as a prefill: used to keep their values when the modal is redrawn. */
export function sipPrefillOf(values: StateValues): SipPrefill {
  const value = (id: string) => textOf(inputState<{ value?: unknown }>(values, id)?.value)?.trim() || undefined;
  const option = (id: string) => {
    const selected = inputState<ViewStateValue>(values, id)?.selected_option;
    const optionValue = textOf(selected?.value);
    return optionValue ? { id: optionValue, label: textOf(selected?.text?.text) ?? optionValue } : undefined;
  };
  return {
    ...(Object.fromEntries(textFields.map((field) => [field, value(sipView[field])])) as SipPrefill),
    kind: inputState<ViewStateValue>(values, sipView.kind)?.selected_option?.value === 'sip' ? 'sip' : 'free',
    assistant: option(sipView.assistant),
    squad: option(sipView.squad),
  };
}

/** Checks everything Vapi would check, and a little more, before anything is sent. Errors by block. */
export function readSipForm(values: StateValues, sipHost: string, defaultRegion: string): SipRequest | { errors: Record<string, string> } {
  const form = sipPrefillOf(values);
  const errors: Record<string, string> = {};
  if (!form.name) errors[sipView.name] = `Give the number a name (at most ${maxNameLength} characters).`;
  else if (form.name.length > maxNameLength) errors[sipView.name] = `At most ${maxNameLength} characters (this is ${form.name.length}).`;
  const sipUser = form.kind === 'sip' ? readSipUser(form.sipUser, sipHost) : undefined;
  if (form.kind === 'free') {
    if (!form.areaCode || !/^\d{3}$/.test(form.areaCode)) errors[sipView.areaCode] = 'A US area code is exactly three digits, e.g. 415.';
  } else if (!sipUser?.ok) {
    errors[sipView.sipUser] = sipUser?.problem ?? 'Give the SIP user.';
  }
  checkCredential(form.username, 'username', sipView.username, errors);
  checkCredential(form.password, 'password', sipView.password, errors);
  if (Boolean(form.username) !== Boolean(form.password)) {
    errors[form.username ? sipView.password : sipView.username] = 'Give both a username and a password, or neither.';
  }
  const answerers = [form.assistant && sipView.assistant, form.squad && sipView.squad, form.workflow && sipView.workflow].filter(Boolean) as string[];
  if (answerers.length > 1) for (const id of answerers) errors[id] = 'Choose only one of assistant, squad or workflow.';
  checkServer(form, answerers.length === 0, errors);
  const fallback = form.fallback ? parsePhoneNumber(form.fallback, defaultRegion) : undefined;
  if (fallback && !fallback.ok) errors[sipView.fallback] = fallback.problem;
  else if (fallback && answerers.length > 0) {
    // Vapi's CreateVapiPhoneNumberDTO.fallbackDestination: used only when no assistant or squad is set and the assistant-request fails.
    errors[sipView.fallback] = 'Vapi never uses a fallback number when an assistant, squad or workflow answers: leave it empty, or choose none of them.';
  }
  if (Object.keys(errors).length > 0)
    return { errors: Object.fromEntries(Object.entries(errors).map(([action, message]) => [blockOf(values, action), message])) };

  const body: CreateVapiPhoneNumberBody = {
    provider: 'vapi',
    name: form.name ?? '',
    ...(form.kind === 'free' ? { numberDesiredAreaCode: form.areaCode } : { sipUri: `sip:${sipUser?.ok ? sipUser.user : ''}@${sipHost}` }),
    ...(form.username && form.password ? { authentication: { username: form.username, password: form.password } } : {}),
    ...(form.assistant ? { assistantId: form.assistant.id } : {}),
    ...(form.squad ? { squadId: form.squad.id } : {}),
    ...(form.workflow ? { workflowId: form.workflow } : {}),
    ...(form.serverUrl ? { server: { url: form.serverUrl, ...(form.serverTimeout ? { timeoutSeconds: Number(form.serverTimeout) } : {}) } } : {}),
    ...(fallback?.ok ? { fallbackDestination: { type: 'number' as const, number: fallback.e164 } } : {}),
  };
  return {
    body,
    ...(form.password ? { password: form.password } : {}),
    ...(answerers.length === 0 ? { warning: 'No assistant, squad or workflow: Vapi will ask your server URL (assistant-request) who answers each call.' } : {}),
  };
}

/** The SIP user, typed as a user or pasted as a whole URI (`sip:front-desk@sip.vapi.ai`, with stray spaces or angle brackets). */
function readSipUser(typed: string | undefined, sipHost: string): { ok: true; user: string } | { ok: false; problem: string } {
  const cleaned = (typed ?? '').trim().replace(/^<|>$/g, '').trim();
  if (!cleaned) return { ok: false, problem: 'Give the SIP user: the part before the @.' };
  const uri = /^sips?:([^@\s]+)@([^;>\s]+)/i.exec(cleaned);
  if (uri?.[2] && uri[2].toLowerCase() !== sipHost) {
    return { ok: false, problem: `That SIP URI is on ${uri[2]}; numbers here are on ${sipHost} (sip:<user>@${sipHost}).` };
  }
  const user = uri?.[1] ?? cleaned;
  if (!sipUserPattern.test(user)) return { ok: false, problem: 'Letters, digits and . _ ~ + - (up to 64), starting with a letter or digit.' };
  return { ok: true, user };
}

function checkCredential(value: string | undefined, what: string, id: string, errors: Record<string, string>): void {
  if (value && (value.length < 20 || value.length > 40)) errors[id] = `The ${what} must be 20–40 characters (this is ${value.length}).`;
}

function checkServer(form: SipPrefill, nobodyAnswers: boolean, errors: Record<string, string>): void {
  if (form.serverUrl && !isHttpsUrl(form.serverUrl)) errors[sipView.serverUrl] = 'Use an https:// URL.';
  if (!form.serverUrl && nobodyAnswers) {
    errors[sipView.serverUrl] = 'With no assistant, squad or workflow, Vapi asks this URL who answers: give one, or choose an assistant.';
  }
  if (form.serverTimeout) {
    const seconds = Number(form.serverTimeout);
    if (!Number.isInteger(seconds) || seconds < 1 || seconds > 300) errors[sipView.serverTimeout] = 'A whole number of seconds from 1 to 300.';
    else if (!form.serverUrl) errors[sipView.serverTimeout] = 'A timeout needs a server URL.';
  }
}

function isHttpsUrl(value: string): boolean {
  try {
    return new URL(value).protocol === 'https:';
  } catch {
    return false;
  }
}
