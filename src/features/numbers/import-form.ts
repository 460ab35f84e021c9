import type { ViewStateValue } from '@slack/bolt';
import type { View } from '@slack/types';
import { type ImportNumberBody, type SignalWireCapability, signalWireCapabilities } from '../../backends/signalwire/schemas.js';
import { formModal, input, plain, textInput } from '../../slack/blocks.js';
import { originMetadata, type ShareOrigin, shareBlock } from '../../slack/share.js';
import { textOf } from '../../slack/view-state.js';
import { parsePhoneNumber } from '../phone/phone-number.js';
import { reportChannelInput, reportView } from '../reports/messages.js';

/** `/phone import`: bring a number hosted elsewhere into SignalWire. */
export const importView = {
  callbackId: 'numbers.import',
  number: 'number',
  numberType: 'number_type',
  capabilities: 'capabilities',
  name: 'name',
  reportChannel: reportView.channel,
} as const;

type StateValues = Record<string, Record<string, ViewStateValue>>;

export interface ImportRequest {
  body: ImportNumberBody;
  /** Set after the import with a follow-up update: the import body cannot carry it. */
  name?: string;
  /** The channel its texts are reported in. */
  reportChannel?: string;
}

const ids = (id: string) => ({ block: id, action: id });

const capabilityLabels: Record<SignalWireCapability, string> = { sms: 'SMS', voice: 'Voice', fax: 'Fax', mms: 'MMS' };

export function importModal(prefill: { number?: string; origin?: ShareOrigin }, defaultRegion: string): View {
  const parsed = prefill.number ? parsePhoneNumber(prefill.number, defaultRegion) : undefined;
  const tollFree = parsed?.ok === true && parsed.type === 'TOLL_FREE';
  const types = [
    { text: plain('Long code (local)'), value: 'longcode' },
    { text: plain('Toll-free'), value: 'tollfree' },
  ];
  const capabilities = signalWireCapabilities.map((capability) => ({ text: plain(capabilityLabels[capability]), value: capability }));
  return formModal({ callbackId: importView.callbackId, privateMetadata: originMetadata(prefill.origin) }, 'Import to SignalWire', 'Import', [
    textInput(ids(importView.number), 'Number', prefill.number, {
      max: 64,
      placeholder: '+1 415 555 0100',
      hint: `Any format; numbers without a country code are read as ${defaultRegion}.`,
    }),
    input(importView.numberType, 'Number type', {
      type: 'radio_buttons',
      action_id: importView.numberType,
      options: types,
      initial_option: tollFree ? types[1] : types[0],
    }),
    input(importView.capabilities, 'Capabilities', {
      type: 'checkboxes',
      action_id: importView.capabilities,
      options: capabilities,
      initial_options: capabilities,
    }),
    textInput(ids(importView.name), 'Name', undefined, { max: 100, optional: true }),
    reportChannelInput(undefined, { optional: true }),
    ...(prefill.origin ? [shareBlock()] : []),
  ]);
}

export function readImportForm(values: StateValues, defaultRegion: string): ImportRequest | { errors: Record<string, string> } {
  const typed = textOf(values[importView.number]?.[importView.number]?.value)?.trim() ?? '';
  const numberType = values[importView.numberType]?.[importView.numberType]?.selected_option?.value === 'tollfree' ? 'tollfree' : 'longcode';
  const selected = values[importView.capabilities]?.[importView.capabilities]?.selected_options;
  const chosen = (Array.isArray(selected) ? selected : []).map((option) => textOf(option?.value));
  const capabilities = signalWireCapabilities.filter((capability) => chosen.includes(capability));
  const name = textOf(values[importView.name]?.[importView.name]?.value)?.trim().slice(0, 100) || undefined;
  const reportChannel = textOf(values[importView.reportChannel]?.[importView.reportChannel]?.selected_conversation) || undefined;

  const errors: Record<string, string> = {};
  const parsed = parsePhoneNumber(typed, defaultRegion);
  if (!parsed.ok) errors[importView.number] = parsed.problem;
  else if (parsed.e164.length < 5 || parsed.e164.length > 30) errors[importView.number] = 'SignalWire takes numbers of 5 to 30 characters in E.164.';
  if (capabilities.length === 0) errors[importView.capabilities] = 'Choose at least one capability.';
  if (!parsed.ok || Object.keys(errors).length > 0) return { errors };
  return { body: { number: parsed.e164, number_type: numberType, capabilities }, ...(name ? { name } : {}), ...(reportChannel ? { reportChannel } : {}) };
}
