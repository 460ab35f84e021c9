import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { teamKey } from '../../../src/store/workspace-key.js';
import { eventually, type Harness, startHarness, team } from '../../kit/harness.js';
import type { EmulatedView } from '../../kit/slack-emulator.js';
import { openVapiForm, useInForm, type VapiFormChoices, vapiFormChoices } from '../../kit/vapi-form.js';

/**
 * The Vapi number form fits the choice: each choice (kind, sign-in, who answers, "More options")
 * dispatches its change and the app redraws the form through views.update, keeping what was typed;
 * an input is required exactly where it shows, an optional one is accepted empty, and a submission
 * is read for the choices it carries, never for inputs they hide.
 */
let harness: Harness;
beforeAll(async () => {
  harness = await startHarness({ vapi: true });
  await harness.install();
});
afterAll(() => harness.stop());
beforeEach(() => {
  harness.vapi.clearFaults();
  harness.vapi.requests.length = 0;
  harness.vapi.numbers.clear();
});

type Block = {
  type: string;
  block_id?: string;
  optional?: boolean;
  dispatch_action?: boolean;
  element?: { action_id?: string; initial_value?: string; initial_option?: { value?: string }; initial_options?: unknown[] };
};
const blocksOf = (view: EmulatedView) => (view.blocks ?? []) as Block[];
/** The form's inputs (the share checkbox aside), by action id. */
const inputsOf = (view: EmulatedView) => blocksOf(view).filter((block) => block.type === 'input' && block.block_id !== 'share');
const inputIds = (view: EmulatedView) => inputsOf(view).map((block) => block.element?.action_id);
const inputOf = (view: EmulatedView, actionId: string) => inputsOf(view).find((block) => block.element?.action_id === actionId);
const shown = (view: EmulatedView, actionId: string) => inputOf(view, actionId)?.element?.initial_value;

const operator = () => harness.actors.operator;
const assistant = { text: { type: 'plain_text', text: 'Front desk' }, value: 'asst-front-desk' };
const vapiPosts = () => harness.vapi.requestsTo('POST', '/phone-number');

describe('the kind chosen', () => {
  it('free → SIP → free shows only that kind’s inputs, through views.update with the hash, and keeps what was typed', async () => {
    const free = await openVapiForm(harness, operator());
    expect(inputIds(free)).toEqual(['name', 'numbers.sip.kind', 'area_code', 'numbers.sip.answered_by', 'numbers.assistant']);
    expect(inputOf(free, 'numbers.sip.kind')?.dispatch_action).toBe(true);
    expect(inputOf(free, 'area_code')?.optional).toBe(false);

    const typed = { name: 'Front desk', area_code: '415', 'numbers.assistant': assistant };
    const sip = await useInForm(harness, free, vapiFormChoices.kind, operator(), { value: 'sip', typed });
    expect(harness.emulator.callsTo('views.update').at(-1)?.args).toMatchObject({ view_id: free.id, hash: free.hash });
    expect(inputIds(sip)).toEqual(['name', 'numbers.sip.kind', 'sip_user', 'numbers.sip.login', 'numbers.sip.answered_by', 'numbers.assistant']);
    expect(inputOf(sip, 'sip_user')?.optional).toBe(false);
    expect(inputOf(sip, 'numbers.sip.login')?.optional).toBe(true);
    expect(shown(sip, 'name')).toBe('Front desk');
    expect(inputOf(sip, 'numbers.assistant')?.element?.initial_option?.value).toBe('asst-front-desk');
    expect(inputOf(sip, 'numbers.sip.kind')?.element?.initial_option?.value).toBe('sip');

    const back = await useInForm(harness, sip, vapiFormChoices.kind, operator(), {
      value: 'free',
      typed: { name: 'Front desk', sip_user: 'front-desk', 'numbers.assistant': assistant },
    });
    expect(inputIds(back)).toEqual(inputIds(free));
    expect(shown(back, 'name')).toBe('Front desk');
    // Hidden by the SIP choice, the area code comes back as it was typed.
    expect(shown(back, 'area_code')).toBe('415');
    expect(inputOf(back, 'numbers.assistant')?.element?.initial_option?.value).toBe('asst-front-desk');

    const again = await useInForm(harness, back, vapiFormChoices.kind, operator(), { value: 'sip', typed: { name: 'Front desk', area_code: '415' } });
    expect(shown(again, 'sip_user')).toBe('front-desk');
  });

  it('sign-in shows the digest pair, both required; a password is never kept out of sight', async () => {
    const sip = await openVapiForm(harness, operator(), { kind: 'sip' });
    expect(inputIds(sip)).not.toContain('sip_username');
    const login = await useInForm(harness, sip, vapiFormChoices.login, operator(), { value: ['on'], typed: { name: 'Desk', sip_user: 'desk' } });
    expect(inputOf(login, 'sip_username')?.optional).toBe(false);
    expect(inputOf(login, 'sip_password')?.optional).toBe(false);
    expect(JSON.stringify(login)).toContain('numbers.sip.generate');
    expect(shown(login, 'sip_user')).toBe('desk');

    const password = 'typed-secret-password-0001';
    const free = await useInForm(harness, login, vapiFormChoices.kind, operator(), {
      value: 'free',
      typed: { name: 'Desk', sip_user: 'desk', sip_username: 'u'.repeat(24), sip_password: password },
    });
    expect(inputIds(free)).not.toContain('sip_password');
    expect(JSON.stringify(free)).not.toContain(password);
    const sipAgain = await useInForm(harness, free, vapiFormChoices.kind, operator(), { value: 'sip', typed: { name: 'Desk' } });
    expect(shown(sipAgain, 'sip_user')).toBe('desk');
    expect(shown(sipAgain, 'sip_username')).toBe('u'.repeat(24));
    expect(shown(sipAgain, 'sip_password')).toBeUndefined();
  });
});

describe('More options', () => {
  it('the less common inputs wait behind More options, which reveals them keeping what was typed', async () => {
    const form = await openVapiForm(harness, operator(), { answeredBy: 'workflow' });
    expect(inputIds(form)).toEqual(['name', 'numbers.sip.kind', 'area_code', 'numbers.sip.answered_by', 'workflow']);
    expect(JSON.stringify(form)).toContain('Under More options: Server URL · Server timeout, seconds · When a call rings, say · Report calls and texts to.');

    const typed = { name: 'Desk', area_code: '212', workflow: 'wf-9' };
    const more = await useInForm(harness, form, vapiFormChoices.more, operator(), { typed });
    expect(inputIds(more)).toEqual([...inputIds(form), 'server_url', 'server_timeout', 'ringing_say', 'report_channel']);
    expect(inputOf(more, 'report_channel')?.optional).toBe(true);
    expect(inputOf(more, 'server_url')?.optional).toBe(true);
    expect(inputOf(more, 'server_timeout')?.optional).toBe(true);
    expect(JSON.stringify(more)).not.toContain(vapiFormChoices.more);
    for (const [id, value] of Object.entries(typed)) expect(shown(more, id)).toBe(value);

    // Answered by your server: its URL is then required, and the fallback destination and the assistant-request hook join More options.
    const server = await useInForm(harness, more, vapiFormChoices.answeredBy, operator(), {
      value: 'server',
      typed: { ...typed, server_url: 'https://example.com/vapi' },
    });
    expect(inputIds(server)).toEqual([
      'name',
      'numbers.sip.kind',
      'area_code',
      'numbers.sip.answered_by',
      'server_url',
      'server_timeout',
      'fallback',
      'fallback_extension',
      'fallback_message',
      'ending_transfer',
      'ringing_say',
    ]);
    expect(inputOf(server, 'server_url')?.optional).toBe(false);
    expect(shown(server, 'server_url')).toBe('https://example.com/vapi');
    expect(shown(server, 'name')).toBe('Desk');
  });
});

describe('optional means optional', () => {
  /** A valid value for each required input. */
  const valid: Record<string, unknown> = {
    area_code: '415',
    sip_username: 'u'.repeat(24),
    sip_password: 'p'.repeat(24),
    'numbers.assistant': assistant,
    'numbers.squad': { text: { type: 'plain_text', text: 'Support squad' }, value: 'squad-support' },
    workflow: 'wf-1',
    server_url: 'https://example.com/vapi',
  };
  const layouts: VapiFormChoices[] = (['assistant', 'squad', 'workflow', 'server'] as const).flatMap((answeredBy) => [
    { kind: 'free', answeredBy, more: true },
    { kind: 'sip', answeredBy, more: true },
    { kind: 'sip', login: true, answeredBy, more: true },
  ]);

  it.each(layouts)('%o: the required inputs filled, every optional one empty, is accepted', async (choices) => {
    const form = await openVapiForm(harness, operator(), choices);
    const values: Record<string, unknown> = { name: 'Optional' };
    for (const input of inputsOf(form)) {
      const id = input.element?.action_id ?? '';
      if (id === 'name' || id.startsWith('numbers.sip.')) continue;
      if (input.optional) values[id] = '';
      else values[id] = id === 'sip_user' ? `opt-${Math.random().toString(36).slice(2, 8)}` : valid[id];
      expect(values[id], id).toBeDefined();
    }
    expect(Object.values(values)).toContain('');
    const answer = await harness.slack.submitView(form, values, operator());
    expect(answer.json?.errors).toBeUndefined();
    expect(answer.json?.response_action).toBe('update');
    const body = await eventually(() => vapiPosts().at(-1)?.body as Record<string, unknown> | undefined);
    expect(body).not.toHaveProperty('server.timeoutSeconds');
    expect(body).not.toHaveProperty('fallbackDestination');
  });
});

describe('the submission is read for its own choices', () => {
  it('the area code is required where it shows: refused under its field for a free number, never looked at for a SIP URI', async () => {
    const free = await openVapiForm(harness, operator());
    for (const areaCode of ['41', '']) {
      const answer = await harness.slack.submitView(free, { name: 'Area', area_code: areaCode, 'numbers.assistant': assistant }, operator());
      expect(Object.keys(answer.json?.errors ?? {})).toEqual(['area_code']);
    }
    expect(vapiPosts()).toHaveLength(0);

    // A SIP form sent with inputs it does not show (a free number's area code, a fallback number
    // beside an assistant): they are not read, and nothing is refused about them.
    const sip = await openVapiForm(harness, operator(), { kind: 'sip' });
    const hidden = blocksOf(await openVapiForm(harness, operator(), { answeredBy: 'server', more: true })).filter((block) =>
      ['area_code', 'fallback'].includes(block.element?.action_id ?? ''),
    );
    const forged = { ...sip, blocks: [...blocksOf(sip), ...hidden] };
    const answer = await harness.slack.submitView(
      forged,
      { name: 'Hidden', sip_user: 'hidden', 'numbers.assistant': assistant, area_code: '41', fallback: 'x' },
      operator(),
    );
    expect(answer.json?.response_action).toBe('update');
    const body = await eventually(() => vapiPosts().at(-1)?.body as Record<string, unknown> | undefined);
    expect(body).toEqual({ provider: 'vapi', name: expect.stringMatching(/^Hidden #sb-/), sipUri: 'sip:hidden@sip.vapi.ai', assistantId: 'asst-front-desk' });
  });

  it('a choice whose redraw did not happen: the problem shows under the choice, naming the input it needs', async () => {
    const free = await openVapiForm(harness, operator());
    const answer = await harness.slack.submitView(free, { name: 'Stale', [vapiFormChoices.kind]: 'sip', 'numbers.assistant': assistant }, operator());
    expect(answer.json?.response_action).toBe('errors');
    expect(Object.keys(answer.json?.errors ?? {})).toEqual([vapiFormChoices.kind]);
    expect(answer.json?.errors?.[vapiFormChoices.kind]).toContain('SIP user');
    expect(vapiPosts()).toHaveLength(0);
  });

  it('an admin’s request form stays one through its choices, and is sent as the request it shows', async () => {
    const form = await openVapiForm(harness, harness.actors.admin, { kind: 'sip', answeredBy: 'server', more: true });
    expect(form.title?.text).toBe('Request a Vapi number');
    const answer = await harness.slack.submitView(form, { name: 'Asked', sip_user: 'asked', server_url: 'https://example.com/vapi' }, harness.actors.admin);
    expect(JSON.stringify(answer.json?.view)).toContain('Request sent');
    const [request] = await harness.app.services.store.numberRequests.pending({ workspaceKey: teamKey(team.id), limit: 1 });
    expect(request?.payload).toMatchObject({ body: { sipUri: 'sip:asked@sip.vapi.ai', server: { url: 'https://example.com/vapi' } } });
    expect(vapiPosts()).toHaveLength(0);
  });

  it('a member, who may not open the form, may not change one either: refused and audited', async () => {
    const form = await openVapiForm(harness, operator());
    await harness.slack.clickButton({ view: form }, vapiFormChoices.kind, harness.actors.member, { [vapiFormChoices.kind]: 'sip' });
    const after = await eventually(() => {
      const current = harness.emulator.views.get(form.id);
      return current && current.hash !== form.hash ? current : undefined;
    });
    expect(inputIds(after)).not.toContain('sip_user');
    expect(JSON.stringify(after)).toContain('may ask an operator to provision a phone number');
    const audit = await harness.app.services.store.audit.list({ workspaceKey: teamKey(team.id), limit: 5 });
    expect(audit.some((entry) => entry.outcome === 'refused' && entry.userId === harness.actors.member.userId)).toBe(true);
  });
});
