import { randomBytes } from 'node:crypto';
import type { KnownBlock, View } from '@slack/types';
import { z } from 'zod';
import { actions, button, context, divider, formModal, input, pickerInput, plain, selectOption, textInput } from '../../slack/blocks.js';
import { joinMd, md } from '../../slack/mrkdwn.js';
import { originOf, type ShareOrigin, shareBlock } from '../../slack/share.js';
import { inputState, type StateValues, textOf } from '../../slack/view-state.js';
import { reportChannelInput } from '../reports/messages.js';
import {
  type Answerer,
  answerers,
  inputLooks,
  loginOn,
  mainInputs,
  moreInputs,
  type Placement,
  type SipChoices,
  type SipInput,
  type SipTextInput,
  sipTextInputs,
  sipView,
} from './sip-fields.js';

type Picked = { id: string; label: string };

/** What the form shows: its choices, and the values to start from. */
export type SipPrefill = Partial<Record<SipTextInput | 'name', string>> &
  Partial<SipChoices> & {
    assistant?: Picked;
    squad?: Picked;
    /** The channel each call is reported in. */
    reportChannel?: string;
    /** "More options" was opened (or a value behind it was given). */
    more?: boolean;
    /** Bumped each time generated credentials are put in: their inputs get new block ids, or Slack would keep what was there. */
    credentialsVersion?: number;
    origin?: ShareOrigin;
  };

/** Vapi takes 40 characters; the request's marker (` #sb-xxxxxxxx`) takes 12 of them. */
export const maxNameLength = 28;

/** A strong digest pair within Vapi's 20–40 characters. */
export function generateSipCredentials(): { username: string; password: string } {
  return { username: `sb${randomBytes(12).toString('hex')}`, password: randomBytes(24).toString('base64url') };
}

const answererOptions: Record<Answerer, string> = {
  assistant: 'An assistant',
  squad: 'A squad',
  workflow: 'A workflow',
  server: 'Your server (it names the assistant per call)',
};

export function choicesOf(prefill: SipPrefill): SipChoices {
  return { kind: prefill.kind ?? 'free', login: prefill.login ?? false, answeredBy: prefill.answeredBy ?? 'assistant' };
}

/** The form for its choices: what most people need first, the rest behind "More options", each choice redrawing it. */
export function sipModal(prefill: SipPrefill, sipHost: string): View {
  const choices = choicesOf(prefill);
  const main = mainInputs(choices);
  const more = moreInputs(choices);
  const showMore = prefill.more === true || more.some(({ input }) => Boolean(prefill[input]));
  const draw = (placements: Placement[]) => placements.map((placement) => drawInput(placement, prefill, sipHost));
  const blocks: KnownBlock[] = [
    textInput({ block: sipView.name, action: sipView.name }, 'Name', prefill.name, {
      max: maxNameLength,
      placeholder: 'Front desk line',
      hint: `How this number is listed in Vapi and in /phone numbers (up to ${maxNameLength} characters).`,
    }),
    kindInput(choices, sipHost),
    ...draw(main.kind),
    ...(choices.kind === 'sip' ? [loginInput(choices.login), ...draw(main.login)] : []),
    ...(main.login.length > 0 ? [actions('sip_generate', [button('Generate a strong pair', sipView.generate)])] : []),
    answererInput(choices.answeredBy),
    ...draw(main.answerer),
    ...(showMore
      ? [divider(), context(md`*More options*`), ...draw(more)]
      : [
          actions(sipView.more, [button('More options', sipView.more)]),
          context(
            md`Under More options: ${joinMd(
              more.map(({ input }) => inputLooks[input].label),
              ' · ',
            )}.`,
          ),
        ]),
  ];
  if (prefill.origin) blocks.push(shareBlock());
  const drawn = new Set([...main.kind, ...main.login, ...main.answerer, ...(showMore ? more : [])].map(({ input }) => input));
  return formModal({ callbackId: sipView.callbackId, privateMetadata: sipMetadata(prefill, drawn) }, 'New Vapi number', 'Create', blocks);
}

function kindInput(choices: SipChoices, sipHost: string): KnownBlock {
  const kinds = [
    { text: plain('Free US number'), value: 'free', description: plain('Vapi picks a number in the area code; it takes a few minutes to activate.') },
    { text: plain('SIP URI'), value: 'sip', description: plain(`sip:<user>@${sipHost}`) },
  ];
  const element = { type: 'radio_buttons' as const, action_id: sipView.kind, options: kinds, initial_option: choices.kind === 'sip' ? kinds[1] : kinds[0] };
  return input(sipView.kind, 'Kind', element, { dispatch_action: true });
}

function loginInput(ticked: boolean): KnownBlock {
  const option = {
    text: plain('Callers sign in with a SIP digest username and password'),
    value: loginOn,
    description: plain('Without it, Vapi lets anyone who knows the URI call it.'),
  };
  const element = { type: 'checkboxes' as const, action_id: sipView.login, options: [option], ...(ticked ? { initial_options: [option] } : {}) };
  return input(sipView.login, 'Sign-in', element, { optional: true, dispatch_action: true });
}

function answererInput(chosen: Answerer): KnownBlock {
  const options = answerers.map((answerer) => selectOption(answererOptions[answerer], answerer));
  const element = { type: 'static_select' as const, action_id: sipView.answeredBy, options, initial_option: options[answerers.indexOf(chosen)] };
  return input(sipView.answeredBy, 'Answered by', element, { dispatch_action: true });
}

function drawInput({ input: name, required }: Placement, prefill: SipPrefill, sipHost: string): KnownBlock {
  const look = inputLooks[name];
  const id = sipView[name];
  if (name === 'reportChannel') return reportChannelInput(prefill.reportChannel, { optional: !required });
  if (name === 'assistant' || name === 'squad') {
    return pickerInput({ block: id, action: id }, look.label, undefined, { placeholder: 'Type to search', optional: !required, initial: prefill[name] });
  }
  const block = look.versioned && prefill.credentialsVersion ? `${id}.v${prefill.credentialsVersion}` : id;
  return textInput({ block, action: id }, look.label, prefill[name], {
    max: look.max ?? 100,
    optional: !required,
    ...(look.placeholder ? { placeholder: look.placeholder } : {}),
    ...(look.hint ? { hint: look.hint(sipHost) } : {}),
  });
}

/**
 * What travels with the form: where it was opened from, and what was typed or ticked in inputs a
 * choice hid, so choosing back shows them again. Never a password: that one is typed or generated again.
 */
const metadataSchema = z.object({
  kept: z
    .object({
      ...Object.fromEntries(sipTextInputs.map((name) => [name, z.string().max(1000).optional()])),
      assistant: z.object({ id: z.string(), label: z.string() }).optional(),
      squad: z.object({ id: z.string(), label: z.string() }).optional(),
      login: z.boolean().optional(),
    })
    .partial()
    .optional(),
});

function sipMetadata(prefill: SipPrefill, drawn: ReadonlySet<SipInput>): string {
  const kept: Record<string, unknown> = {};
  for (const name of sipTextInputs) {
    const value = prefill[name];
    if (value && name !== 'password' && !drawn.has(name)) kept[name] = value.slice(0, inputLooks[name].max ?? 100);
  }
  for (const name of ['assistant', 'squad'] as const) {
    const picked = prefill[name];
    if (picked && !drawn.has(name)) kept[name] = { id: picked.id.slice(0, 150), label: picked.label.slice(0, 75) };
  }
  if (prefill.login && prefill.kind !== 'sip') kept.login = true;
  const hasKept = Object.keys(kept).length > 0;
  if (!prefill.origin && !hasKept) return '';
  return JSON.stringify({ ...prefill.origin, ...(hasKept ? { kept } : {}) });
}

function keptOf(privateMetadata: string | undefined): SipPrefill {
  try {
    return (metadataSchema.safeParse(JSON.parse(privateMetadata || '{}')).data?.kept ?? {}) as SipPrefill;
  } catch {
    return {};
  }
}

/** What the person typed and chose, as a prefill (choices read as the reader reads them). */
export function sipPrefillOf(values: StateValues): SipPrefill {
  const value = (id: string) => textOf(inputState<{ value?: unknown }>(values, id)?.value)?.trim() || undefined;
  const picked = (id: string) => {
    const selected = inputState<{ selected_option?: { value?: unknown; text?: { text?: unknown } } | null }>(values, id)?.selected_option;
    const optionValue = textOf(selected?.value);
    return optionValue ? { id: optionValue, label: textOf(selected?.text?.text) ?? optionValue } : undefined;
  };
  const loginState = inputState<{ selected_options?: unknown }>(values, sipView.login);
  const ticked = loginState ? (loginState.selected_options ?? []) : undefined;
  const answeredBy = picked(sipView.answeredBy)?.id;
  const typed = Object.fromEntries(sipTextInputs.map((name) => [name, value(sipView[name])]));
  return {
    ...typed,
    name: value(sipView.name),
    kind: picked(sipView.kind)?.id === 'sip' ? 'sip' : 'free',
    // Unticked, or not on the form at all (a free number's): then a kept choice stands.
    login:
      ticked === undefined ? undefined : Array.isArray(ticked) && ticked.some((option) => textOf((option as { value?: unknown } | null)?.value) === loginOn),
    answeredBy: answerers.find((answerer) => answerer === answeredBy) ?? 'assistant',
    assistant: picked(sipView.assistant),
    squad: picked(sipView.squad),
    reportChannel: textOf(inputState<{ selected_conversation?: unknown }>(values, sipView.reportChannel)?.selected_conversation) || undefined,
  };
}

/** A drawn form, as Slack sends it back with an action. */
export interface DrawnSipForm {
  blocks?: readonly { block_id?: string }[];
  state: { values: StateValues };
  private_metadata?: string;
}

/** The form as it stands, to draw again: what was typed and chosen, what a choice hid, and how it was drawn. */
export function redrawnPrefill(view: DrawnSipForm): SipPrefill {
  const prefill: SipPrefill = {
    ...keptOf(view.private_metadata),
    ...withoutEmpty(sipPrefillOf(view.state.values)),
    origin: originOf(view.private_metadata),
    more: Boolean(view.blocks) && !view.blocks?.some((block) => block.block_id === sipView.more),
  };
  const version = readCredentialsVersion(view.blocks);
  return version ? { ...prefill, credentialsVersion: version } : prefill;
}

function withoutEmpty(prefill: SipPrefill): SipPrefill {
  return Object.fromEntries(Object.entries(prefill).filter(([, value]) => value !== undefined)) as SipPrefill;
}

/** Which generation of credential inputs a drawn form holds (from the block ids it was drawn with). */
export function readCredentialsVersion(blocks: readonly { block_id?: string }[] | undefined): number | undefined {
  const id = blocks?.find((block) => block.block_id?.startsWith(`${sipView.username}.v`))?.block_id;
  const version = id ? Number(id.slice(sipView.username.length + 2)) : undefined;
  return version && Number.isInteger(version) ? version : undefined;
}
