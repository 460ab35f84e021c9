import type {
  ActionsBlock,
  Button,
  ConfirmationDialog,
  ContextBlock,
  DividerBlock,
  HeaderBlock,
  InputBlock,
  KnownBlock,
  PlainTextElement,
  SectionBlock,
  View,
} from '@slack/types';
import { digest } from '../util/ids.js';
import type { SlackMessage } from './bot-clients.js';
import { cut, type Mrkdwn, type MrkdwnText, md } from './mrkdwn.js';

/**
 * Small typed constructors for the Block Kit pieces Switchboard uses. Wording lives in the
 * message modules; these only give the JSON its shape. Where Slack parses markup they take
 * `Mrkdwn` (see mrkdwn.ts); plain text stays a string, since Slack shows it as it is.
 */
export const plain = (text: string): PlainTextElement => ({ type: 'plain_text', text: truncate(text, 3000), emoji: true });

export const header = (text: string): HeaderBlock => ({ type: 'header', text: plain(truncate(text, 150)) });

export const section = (markdown: Mrkdwn, extra: Partial<SectionBlock> = {}): SectionBlock => ({
  type: 'section',
  text: { type: 'mrkdwn', text: cut(markdown, 3000).text },
  ...extra,
});

export const fields = (pairs: [label: string, value: Mrkdwn][]): SectionBlock => ({
  type: 'section',
  fields: pairs.slice(0, 10).map(([label, value]) => ({ type: 'mrkdwn', text: cut(md`*${label}*\n${value}`, 2000).text })),
});

export const context = (...markdown: Mrkdwn[]): ContextBlock => ({
  type: 'context',
  elements: markdown.slice(0, 10).map((text) => ({ type: 'mrkdwn', text: cut(text, 3000).text })),
});

export const divider = (): DividerBlock => ({ type: 'divider' });

export const actions = (blockId: string, elements: Button[]): ActionsBlock => ({ type: 'actions', block_id: blockId, elements: elements.slice(0, 25) });

/** A button. Its value is data the handler reads back, so it is never cut: one over Slack's 2,000 characters is a bug. */
export function button(text: string, actionId: string, { value, style, confirm }: Pick<Button, 'value' | 'style' | 'confirm'> = {}): Button {
  if (value && value.length > 2000) throw new Error(`A button value of ${value.length} characters (Slack takes 2,000)`);
  return {
    type: 'button',
    text: plain(truncate(text, 75)),
    action_id: actionId,
    ...(value === undefined ? {} : { value }),
    ...(style ? { style } : {}),
    ...(confirm ? { confirm } : {}),
  };
}

export const confirmDialog = (title: string, text: Mrkdwn, confirm: string, style: 'primary' | 'danger' = 'danger'): ConfirmationDialog => ({
  title: plain(truncate(title, 100)),
  text: { type: 'mrkdwn', text: cut(text, 300).text },
  confirm: plain(truncate(confirm, 30)),
  deny: plain('Cancel'),
  style,
});

/**
 * An option for a select. Slack takes text up to 75 characters and values up to 150: the text is
 * cut, and a longer value (a long Novu identifier, say) is sent as `~<digest>`, which the form's
 * reader turns back into the value with `resolveOptionValue`.
 */
export function selectOption(label: string, value: string): { text: PlainTextElement; value: string } {
  return { text: { type: 'plain_text', text: truncate(label || value, 75) }, value: optionValue(value) };
}

export function optionValue(value: string): string {
  return value.length <= 150 ? value : `~${digest([value], 32)}`;
}

/** The value a selected option stands for, among the values it could be; undefined when none matches a digest. */
export function resolveOptionValue(selected: string | undefined, candidates: Iterable<string>): string | undefined {
  if (!selected?.startsWith('~')) return selected;
  for (const candidate of candidates) if (optionValue(candidate) === selected) return candidate;
  return undefined;
}

/** At most `max` characters, ending in "…" when cut; cut at a word's end unless that loses too much. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const wordEnd = /\s/.test(text[max - 1] ?? '') ? cut.length : cut.lastIndexOf(' ');
  return `${wordEnd > max * 0.6 ? cut.slice(0, wordEnd).trimEnd() : cut}…`;
}

export interface EphemeralMessage {
  response_type: 'ephemeral' | 'in_channel';
  /** Slack reads a message's text as mrkdwn too (and notifies from it). */
  text: MrkdwnText;
  blocks?: KnownBlock[];
}

export const ephemeral = (text: Mrkdwn, blocks?: KnownBlock[]): EphemeralMessage => ({
  response_type: 'ephemeral',
  text: text.text,
  ...(blocks ? { blocks } : {}),
});

/** A message for chat.postMessage or a direct message. */
export const message = (text: Mrkdwn, blocks?: KnownBlock[]): SlackMessage => ({ text: text.text, ...(blocks ? { blocks } : {}) });

/** A message whose text is also its first section, and its ephemeral form. */
export const sectionMessage = (text: Mrkdwn, ...more: KnownBlock[]): SlackMessage => message(text, [section(text), ...more]);
export const sectionEphemeral = (text: Mrkdwn, ...more: KnownBlock[]): EphemeralMessage => ephemeral(text, [section(text), ...more]);

/** A modal that only tells something: "working…", a result, a refusal. */
export const noticeModal = (title: string, markdown: Mrkdwn, extra: KnownBlock[] = [], close = 'Close'): View => ({
  type: 'modal',
  title: plain(truncate(title, 24)),
  close: plain(close),
  blocks: [section(markdown), ...extra],
});

/** A form: its blocks, a submit button, and `close` to dismiss it. */
export function formModal(ids: { callbackId: string; privateMetadata?: string }, title: string, submit: string, blocks: KnownBlock[], close = 'Cancel'): View {
  return {
    type: 'modal',
    callback_id: ids.callbackId,
    ...(ids.privateMetadata === undefined ? {} : { private_metadata: ids.privateMetadata }),
    title: plain(title),
    submit: plain(submit),
    close: plain(close),
    blocks,
  };
}

/** A form input: its block, label and element (`extra`: a hint, or optional). */
export const input = (blockId: string, label: string, element: InputBlock['element'], extra: Partial<InputBlock> = {}): InputBlock => ({
  type: 'input',
  block_id: blockId,
  label: plain(label),
  element,
  ...extra,
});

/**
 * A select whose options Slack loads from the app (`app.options`), every one offered before anything
 * is typed. The initial choice is a value shown as itself, or an id shown by its label.
 */
export function pickerInput(
  ids: { block: string; action: string },
  label: string,
  hint: string | undefined,
  options: { placeholder: string; initial?: string | { id: string; label: string }; optional?: boolean },
): InputBlock {
  const { initial } = options;
  return {
    type: 'input',
    block_id: ids.block,
    ...(options.optional ? { optional: true } : {}),
    label: plain(label),
    ...(hint ? { hint: plain(hint) } : {}),
    element: {
      type: 'external_select',
      action_id: ids.action,
      min_query_length: 0,
      placeholder: plain(options.placeholder),
      ...(initial ? { initial_option: typeof initial === 'string' ? selectOption(initial, initial) : selectOption(initial.label, initial.id) } : {}),
    },
  };
}

/** A plain text input block, its initial value cut to its maximum length. */
export function textInput(
  ids: { block: string; action: string },
  label: string,
  initial: string | undefined,
  options: { placeholder?: string; hint?: string; optional?: boolean; multiline?: boolean; max: number },
): InputBlock {
  return {
    type: 'input',
    block_id: ids.block,
    label: plain(label),
    optional: options.optional ?? false,
    ...(options.hint ? { hint: plain(options.hint) } : {}),
    element: {
      type: 'plain_text_input',
      action_id: ids.action,
      max_length: options.max,
      ...(options.multiline ? { multiline: true } : {}),
      ...(options.placeholder ? { placeholder: plain(options.placeholder) } : {}),
      ...(initial ? { initial_value: initial.slice(0, options.max) } : {}),
    },
  };
}
