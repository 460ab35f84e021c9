import type { KnownBlock, PlainTextOption, View } from '@slack/types';
import { z } from 'zod';
import { backendLabels } from '../../http/errors.js';
import { context, formModal, input, pickerInput, section, selectOption, textInput } from '../../slack/blocks.js';
import { code, md } from '../../slack/mrkdwn.js';
import { inputState, type StateValues, textOf } from '../../slack/view-state.js';
import type { NumberBackend } from '../../store/types.js';
import { parseJsonAs } from '../../util/json.js';
import { parsePhoneNumber } from '../phone/phone-number.js';
import {
  answeredByKinds,
  callHandlerChoices,
  endingActions,
  handlerLabels,
  messageHandlerChoices,
  type NumberSettings,
  numberSettingsSchema,
  ringingActions,
  type SignalWireSettings,
  type VapiSettings,
} from './change-model.js';
import { sipView } from './sip-fields.js';

/** The change form's ids: inputs by action id, which is also their block id. The pickers are `/phone sip`'s, with their loaders. */
export const changeView = {
  button: 'numbers.change',
  form: 'numbers.change.form',
  confirm: 'numbers.change.confirm',
  answeredBy: 'change_answered_by',
  assistant: sipView.assistant,
  squad: sipView.squad,
  workflow: 'change_workflow',
  serverUrl: 'change_server_url',
  serverTimeout: 'change_server_timeout',
  fallbackTo: 'change_fallback_to',
  fallbackExtension: 'change_fallback_extension',
  fallbackMessage: 'change_fallback_message',
  ringing: 'change_ringing',
  ending: 'change_ending',
  hookMessage: 'change_hook_message',
  callHandler: 'change_call_handler',
  callTo: 'change_call_to',
  messageHandler: 'change_message_handler',
  messageTo: 'change_message_to',
} as const;

/** The number a change is about, as its button, form and confirmation carry it (the label is only shown). */
export const changeTargetSchema = z.object({ backend: z.enum(['vapi', 'signalwire']), vendorId: z.string().min(1), label: z.string().max(300) });
export type ChangeTarget = z.infer<typeof changeTargetSchema>;

const formMetadata = changeTargetSchema.extend({ before: numberSettingsSchema });
export type ChangeFormMetadata = z.infer<typeof formMetadata>;

export function readChangeTarget(text: string | undefined): ChangeTarget | undefined {
  return parseJsonAs(changeTargetSchema, text);
}

export function readChangeForm(text: string | undefined): ChangeFormMetadata | undefined {
  return parseJsonAs(formMetadata, text);
}

const confirmMetadata = formMetadata.extend({ after: numberSettingsSchema });
export type ChangeConfirmMetadata = z.infer<typeof confirmMetadata>;

export function readChangeConfirm(text: string | undefined): ChangeConfirmMetadata | undefined {
  return parseJsonAs(confirmMetadata, text);
}

const words = {
  answeredBy: { assistant: 'An assistant', squad: 'A squad', workflow: 'A workflow', server: 'Your server URL (assistant-request)' },
  ringing: { none: 'Answer as usual', transfer: 'Transfer to the fallback destination', say: 'Say the message below and end the call' },
  ending: { none: 'End the call', transfer: 'Transfer to the fallback destination' },
} as const;

function choice(id: string, label: string, values: readonly string[], labelOf: (value: string) => string, initial: string | undefined, optional = false) {
  const options: PlainTextOption[] = values.map((value) => selectOption(labelOf(value), value));
  const selected = options.find((option) => option.value === initial);
  return input(
    id,
    label,
    { type: 'static_select', action_id: id, options, ...(selected ? { initial_option: selected } : {}) },
    optional ? { optional: true } : {},
  );
}

const text = (id: string, label: string, initial: string | undefined, max: number, hint?: string) =>
  textInput({ block: id, action: id }, label, initial, { optional: true, max, ...(hint ? { hint } : {}) });

function vapiInputs(before: VapiSettings): KnownBlock[] {
  const answerer = (kind: VapiSettings['answeredBy']) =>
    before.answeredBy === kind && before.answerer ? { id: before.answerer.id, label: before.answerer.name ?? before.answerer.id } : undefined;
  return [
    choice(changeView.answeredBy, 'Answered by', answeredByKinds, (value) => words.answeredBy[value as VapiSettings['answeredBy']], before.answeredBy),
    pickerInput({ block: changeView.assistant, action: changeView.assistant }, 'Assistant', 'When answered by an assistant.', {
      placeholder: 'Choose an assistant',
      initial: answerer('assistant'),
      optional: true,
    }),
    pickerInput({ block: changeView.squad, action: changeView.squad }, 'Squad', 'When answered by a squad.', {
      placeholder: 'Choose a squad',
      initial: answerer('squad'),
      optional: true,
    }),
    text(changeView.workflow, 'Workflow ID', before.answeredBy === 'workflow' ? before.answerer?.id : undefined, 100, 'When answered by a workflow.'),
    text(changeView.serverUrl, 'Server URL', before.serverUrl, 500, 'https only: where Vapi sends this number’s requests and reports.'),
    text(changeView.serverTimeout, 'Server timeout, seconds', before.serverTimeout?.toString(), 3, '1–300; Vapi waits 20 by default.'),
    text(
      changeView.fallbackTo,
      'Fallback destination',
      before.fallback?.to,
      300,
      'A phone number or a sip: URI. Vapi transfers a call here when no assistant, squad or workflow answers and the assistant-request to your server URL fails; without one, that call is hung up.',
    ),
    text(changeView.fallbackExtension, 'Fallback extension', before.fallback?.extension, 10, 'Dialled after a fallback phone number answers.'),
    text(changeView.fallbackMessage, 'Fallback message', before.fallback?.message, 300, 'Said to the caller before the transfer.'),
    choice(changeView.ringing, 'When a call rings', ringingActions, (value) => words.ringing[value as VapiSettings['ringing']], before.ringing),
    choice(changeView.ending, 'When the assistant-request fails', endingActions, (value) => words.ending[value as VapiSettings['ending']], before.ending),
    text(changeView.hookMessage, 'Message said when a call rings', before.hookMessage, 300),
  ];
}

function signalWireInputs(before: SignalWireSettings): KnownBlock[] {
  const label = (value: string) => handlerLabels[value] ?? value;
  return [
    choice(changeView.callHandler, 'What answers calls', callHandlerChoices, label, before.callHandler, true),
    text(changeView.callTo, 'Where calls go', before.callTo, 500, 'The webhook or script URL, or the application, topic or context name.'),
    choice(changeView.messageHandler, 'What answers texts', messageHandlerChoices, label, before.messageHandler, true),
    text(changeView.messageTo, 'Where texts go', before.messageTo, 500, 'The webhook URL, or the application, topic or context name.'),
  ];
}

/** The change form, filled in with the number as the vendor has it now: only what can change in place. */
export function changeModal(target: ChangeTarget, before: NumberSettings, asking: boolean): View {
  const intro = section(
    md`Change ${backendLabels[target.backend]} number ${code(target.label)} in place: it keeps its number, and only what you change is sent.`,
  );
  const ask = asking ? [context(md`:raised_hand: You may ask for this change: an operator approves it before anything changes.`)] : [];
  const inputs = before.backend === 'vapi' ? vapiInputs(before) : signalWireInputs(before);
  const metadata = JSON.stringify({ ...target, before });
  return formModal({ callbackId: changeView.form, privateMetadata: metadata }, 'Change number', 'Review', [intro, ...ask, ...inputs]);
}

/** The form as submitted, as settings; or errors by block. */
export function readChangeSubmission(values: StateValues, backend: NumberBackend, defaultRegion: string): NumberSettings | { errors: Record<string, string> } {
  const value = (id: string) => textOf(inputState<{ value?: unknown }>(values, id)?.value)?.trim() || undefined;
  const selected = (id: string) => inputState<{ selected_option?: { value?: unknown; text?: { text?: unknown } } | null }>(values, id)?.selected_option;
  const option = (id: string) => textOf(selected(id)?.value);
  return backend === 'vapi' ? readVapi(value, selected, option, defaultRegion) : readSignalWire(value, option);
}

type Read = (id: string) => string | undefined;
type Selected = (id: string) => { value?: unknown; text?: { text?: unknown } } | null | undefined;

function readVapi(value: Read, selected: Selected, option: Read, defaultRegion: string): VapiSettings | { errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const answeredBy = answeredByKinds.find((kind) => kind === option(changeView.answeredBy)) ?? 'server';
  const picked = (id: string) => {
    const choice = selected(id);
    const chosen = textOf(choice?.value);
    return chosen ? { id: chosen, ...(textOf(choice?.text?.text) ? { name: textOf(choice?.text?.text) } : {}) } : undefined;
  };
  const workflow = value(changeView.workflow);
  const answerer = answeredBy === 'assistant' ? picked(changeView.assistant) : answeredBy === 'squad' ? picked(changeView.squad) : workflow && { id: workflow };
  if (answeredBy !== 'server' && !answerer)
    errors[answeredBy === 'workflow' ? changeView.workflow : changeView[answeredBy]] = `Choose the ${answeredBy} that answers.`;
  const serverUrl = value(changeView.serverUrl);
  if (serverUrl && !/^https:\/\/[^\s]+$/i.test(serverUrl)) errors[changeView.serverUrl] = 'Use an https:// URL.';
  if (answeredBy === 'server' && !serverUrl) errors[changeView.serverUrl] = 'Answered by your server: give its https URL.';
  const timeout = value(changeView.serverTimeout);
  const serverTimeout = timeout ? Number(timeout) : undefined;
  if (serverTimeout !== undefined && (!Number.isInteger(serverTimeout) || serverTimeout < 1 || serverTimeout > 300)) {
    errors[changeView.serverTimeout] = 'A whole number of seconds from 1 to 300.';
  }
  const fallback = readFallback(value, defaultRegion, errors);
  const ringing = ringingActions.find((action) => action === option(changeView.ringing)) ?? 'none';
  const ending = endingActions.find((action) => action === option(changeView.ending)) ?? 'none';
  const hookMessage = value(changeView.hookMessage);
  if (ringing === 'say' && !hookMessage) errors[changeView.hookMessage] = 'Give the message said when a call rings.';
  if ((ringing === 'transfer' || ending === 'transfer') && !fallback) errors[changeView.fallbackTo] = 'A transfer goes to the fallback destination: give one.';
  if (Object.keys(errors).length > 0) return { errors };
  return {
    backend: 'vapi',
    answeredBy,
    ...(answeredBy !== 'server' && answerer ? { answerer } : {}),
    ...(serverUrl ? { serverUrl } : {}),
    ...(serverUrl && serverTimeout ? { serverTimeout } : {}),
    ...(fallback ? { fallback } : {}),
    ringing,
    ending,
    ...(ringing === 'say' && hookMessage ? { hookMessage } : {}),
  };
}

function readFallback(value: Read, defaultRegion: string, errors: Record<string, string>): VapiSettings['fallback'] {
  const typed = value(changeView.fallbackTo);
  const extension = value(changeView.fallbackExtension);
  const message = value(changeView.fallbackMessage);
  if (!typed) {
    if (extension || message) errors[changeView.fallbackTo] = 'Give the fallback destination the extension or message is for.';
    return undefined;
  }
  if (/^sips?:/i.test(typed)) {
    if (!/^sips?:[^@\s]+@[^\s]+$/i.test(typed)) errors[changeView.fallbackTo] = 'A SIP URI looks like sip:user@example.com.';
    if (extension) errors[changeView.fallbackExtension] = 'An extension is dialled after a phone number, not a SIP URI.';
    return { to: typed, ...(message ? { message } : {}) };
  }
  const parsed = parsePhoneNumber(typed, defaultRegion);
  if (!parsed.ok) {
    errors[changeView.fallbackTo] = parsed.problem;
    return undefined;
  }
  if (extension && !/^[0-9*#]{1,10}$/.test(extension)) errors[changeView.fallbackExtension] = 'Up to 10 digits (and * or #).';
  return { to: parsed.e164, ...(extension ? { extension } : {}), ...(message ? { message } : {}) };
}

function readSignalWire(value: Read, option: Read): SignalWireSettings | { errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const callHandler = callHandlerChoices.find((handler) => handler === option(changeView.callHandler));
  const messageHandler = messageHandlerChoices.find((handler) => handler === option(changeView.messageHandler));
  const callTo = value(changeView.callTo);
  const messageTo = value(changeView.messageTo);
  const urlHandlers = ['laml_webhooks', 'relay_script'];
  if (callHandler && !callTo) errors[changeView.callTo] = 'Say where calls go.';
  if (callHandler && callTo && urlHandlers.includes(callHandler) && !/^https?:\/\/\S+$/i.test(callTo)) errors[changeView.callTo] = 'Give the URL.';
  if (messageHandler && !messageTo) errors[changeView.messageTo] = 'Say where texts go.';
  if (messageHandler === 'laml_webhooks' && messageTo && !/^https?:\/\/\S+$/i.test(messageTo)) errors[changeView.messageTo] = 'Give the URL.';
  if (Object.keys(errors).length > 0) return { errors };
  return {
    backend: 'signalwire',
    ...(callHandler ? { callHandler, ...(callTo ? { callTo } : {}) } : {}),
    ...(messageHandler ? { messageHandler, ...(messageTo ? { messageTo } : {}) } : {}),
  };
}
