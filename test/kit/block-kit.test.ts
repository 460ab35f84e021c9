import { describe, expect, it } from 'vitest';
import { checkMessage, checkOptionsResponse, checkSubmissionErrors, checkView } from './block-kit.js';

/**
 * The checker stands in for Slack's validation in every test, so each of Slack's published
 * limits it claims must really catch a breach (and let the valid form through).
 */
const plain = (text: string) => ({ type: 'plain_text', text });
const option = (text: string, value: string) => ({ text: plain(text), value });
const modal = (blocks: unknown[], extra: Record<string, unknown> = {}) => ({
  type: 'modal',
  title: plain('Form'),
  submit: plain('Save'),
  close: plain('Cancel'),
  blocks,
  ...extra,
});
const select = (element: Record<string, unknown>) =>
  modal([{ type: 'input', block_id: 'pick', label: plain('Pick'), element: { action_id: 'pick', ...element } }]);
const withConfirm = (confirm: Record<string, unknown>) => ({
  text: 'x',
  blocks: [{ type: 'actions', block_id: 'a', elements: [{ type: 'button', action_id: 'b', text: plain('Go'), value: 'v', confirm }] }],
});
const confirm = { title: plain('Sure?'), text: plain('This removes it.'), confirm: plain('Remove'), deny: plain('Keep') };

describe('the Block Kit checker', () => {
  it('lets well-formed views, messages and answers through', () => {
    expect(checkView(select({ type: 'static_select', options: [option('One', '1')], initial_option: option('One', '1') }))).toEqual([]);
    expect(checkMessage(withConfirm(confirm))).toEqual([]);
    expect(checkOptionsResponse({ options: [option('One', '1')] })).toEqual([]);
    expect(checkOptionsResponse({ option_groups: [{ label: plain('Group'), options: [option('One', '1')] }] })).toEqual([]);
  });

  it.each([
    ['option text over 75', select({ type: 'static_select', options: [option('t'.repeat(76), '1')] })],
    ['option value over 150', select({ type: 'static_select', options: [option('One', 'v'.repeat(151))] })],
    ['an empty option value', select({ type: 'static_select', options: [option('One', '')] })],
    ['an initial option not among the options', select({ type: 'static_select', options: [option('One', '1')], initial_option: option('Two', '2') })],
    ['mrkdwn option text in a select', select({ type: 'static_select', options: [{ text: { type: 'mrkdwn', text: '*One*' }, value: '1' }] })],
    ['over 100 options', select({ type: 'static_select', options: Array.from({ length: 101 }, (_, index) => option(`O${index}`, `${index}`)) })],
    ['an empty option group', select({ type: 'static_select', option_groups: [{ label: plain('Group'), options: [] }] })],
    ['a mrkdwn title', modal([], { title: { type: 'mrkdwn', text: 'Form' } })],
    ['a title over 24', modal([], { title: plain('t'.repeat(25)) })],
    ['an empty label', modal([{ type: 'input', block_id: 'x', label: plain(''), element: { type: 'plain_text_input', action_id: 'x' } }])],
    ['an initial value longer than max_length', select({ type: 'plain_text_input', max_length: 3, initial_value: 'abcd' })],
    [
      'a repeated block id',
      modal([
        { type: 'divider', block_id: 'd' },
        { type: 'divider', block_id: 'd' },
      ]),
    ],
    ['over 100 blocks', modal(Array.from({ length: 101 }, () => ({ type: 'divider' })))],
  ])('catches %s in a view', (_name, view) => {
    expect(checkView(view)).not.toEqual([]);
  });

  it.each([
    ['a confirm title over 100', { ...confirm, title: plain('t'.repeat(101)) }],
    ['a confirm text over 300', { ...confirm, text: plain('t'.repeat(301)) }],
    ['a confirm button over 30', { ...confirm, confirm: plain('c'.repeat(31)) }],
    ['a deny button over 30', { ...confirm, deny: plain('d'.repeat(31)) }],
    ['a mrkdwn confirm title', { ...confirm, title: { type: 'mrkdwn', text: '*Sure?*' } }],
  ])('catches %s in a confirm dialog', (_name, dialog) => {
    expect(checkMessage(withConfirm(dialog))).not.toEqual([]);
  });

  it('catches option lists Slack would not show, and errors for blocks the view does not have', () => {
    expect(checkOptionsResponse({ options: [option('t'.repeat(76), '1')] })).not.toEqual([]);
    expect(checkOptionsResponse({ options: [option('One', 'v'.repeat(151))] })).not.toEqual([]);
    expect(checkOptionsResponse({})).not.toEqual([]);
    const view = select({ type: 'static_select', options: [option('One', '1')] });
    expect(checkSubmissionErrors(view, { pick: 'Choose one' })).toEqual([]);
    expect(checkSubmissionErrors(view, { pick_v2: 'Choose one' })).not.toEqual([]);
    expect(checkSubmissionErrors(view, { pick: '' })).not.toEqual([]);
  });
});
