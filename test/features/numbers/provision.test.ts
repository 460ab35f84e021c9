import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { teamKey } from '../../../src/store/workspace-key.js';
import { checkView } from '../../kit/block-kit.js';
import { eventually, type Harness, startHarness, team } from '../../kit/harness.js';
import type { EmulatedView } from '../../kit/slack-emulator.js';
import { openVapiForm, useInForm, type VapiFormChoices } from '../../kit/vapi-form.js';

/** /phone sip and /phone import against loopback Vapi and SignalWire servers that validate against their specs. */
let harness: Harness;
beforeAll(async () => {
  harness = await startHarness({ vapi: true, signalwire: true });
  await harness.install();
});
afterAll(() => harness.stop());
beforeEach(() => {
  for (const backend of [harness.vapi, harness.signalwire, harness.novu]) {
    backend.clearFaults();
    backend.requests.length = 0;
  }
  harness.vapi.numbers.clear();
  harness.signalwire.numbers.clear();
});

const openModal = (text: string, callbackId: string, actor = harness.actors.operator): Promise<EmulatedView> =>
  harness.openModal('/phone', text, callbackId, actor);

async function settled(viewId: string): Promise<EmulatedView> {
  return eventually(
    () => {
      const view = harness.emulator.views.get(viewId);
      return view && !JSON.stringify(view).includes('Provisioning on') ? view : undefined;
    },
    { timeoutMs: 15_000, message: 'the provisioning result' },
  );
}

/** The Vapi number form, chosen as most of these tests need it: a SIP URI answered by a workflow. */
const sipForm = (choices: VapiFormChoices = { kind: 'sip', answeredBy: 'workflow' }, actor = harness.actors.operator): Promise<EmulatedView> =>
  openVapiForm(harness, actor, choices);

const vapiPosts = () => harness.vapi.requestsTo('POST', '/phone-number');
const importPosts = () => harness.signalwire.requestsTo('POST', '/api/relay/rest/imported_phone_numbers');

describe('/phone sip', () => {
  it.each([
    ['a full SIP URI', 'sip:front-desk@sip.vapi.ai'],
    ['one in angle brackets with stray spaces', '  <sip:front-desk@sip.vapi.ai>  '],
    ['a SIP URI with parameters', 'sip:front-desk@sip.vapi.ai;transport=tls'],
  ])('the SIP user field takes what people paste: %s', async (_name, pasted) => {
    const view = await sipForm();
    const answer = await harness.slack.submitView(view, { name: 'Pasted line', sip_user: pasted, workflow: 'wf-1' }, harness.actors.operator);
    expect(answer.json?.response_action).toBe('update');
    await settled(view.id);
    expect(vapiPosts().at(-1)?.body).toMatchObject({ sipUri: 'sip:front-desk@sip.vapi.ai' });
  });

  it('a SIP URI on another host is refused under the field, naming both hosts', async () => {
    const view = await sipForm();
    const posts = vapiPosts().length;
    const answer = await harness.slack.submitView(view, { name: 'Elsewhere', sip_user: 'sip:desk@pbx.example.org', workflow: 'wf-1' }, harness.actors.operator);
    expect(answer.json?.response_action).toBe('errors');
    expect(JSON.stringify(answer.json?.errors)).toContain('pbx.example.org');
    expect(vapiPosts()).toHaveLength(posts);
  });

  it('a SIP URI answered by an assistant: one valid POST, and the result card', async () => {
    const view = await sipForm({ kind: 'sip' });
    expect(checkView(view)).toEqual([]);
    const options = await harness.slack.suggest(view, 'numbers.assistant', 'front', harness.actors.operator);
    const assistant = ((options.json?.options ?? []) as { value: string; text: { text: string } }[])[0];
    expect(assistant?.text.text).toBe('Front desk');
    // The account's assistants are the operators' to choose from: an admin who may only ask for a number sees none.
    const asked = await harness.slack.suggest(view, 'numbers.assistant', 'front', harness.actors.admin);
    expect(asked.json?.options).toEqual([]);
    const squadForm = await sipForm({ answeredBy: 'squad' });
    expect((await harness.slack.suggest(squadForm, 'numbers.squad', '', harness.actors.admin)).json?.options).toEqual([]);

    const answer = await harness.slack.submitView(
      view,
      {
        name: 'Front desk line',
        sip_user: 'front-desk',
        'numbers.assistant': { text: { type: 'plain_text', text: 'Front desk' }, value: assistant?.value },
      },
      harness.actors.operator,
    );
    expect(answer.json?.response_action).toBe('update');
    const result = JSON.stringify(await settled(view.id));
    expect(vapiPosts()).toHaveLength(1);
    expect(vapiPosts()[0]?.problems).toEqual([]);
    expect(vapiPosts()[0]?.body).toEqual({
      provider: 'vapi',
      name: expect.stringMatching(/^Front desk line #sb-[0-9a-f]{8}$/),
      sipUri: 'sip:front-desk@sip.vapi.ai',
      assistantId: assistant?.value,
    });
    expect(result).toContain('sip:front-desk@sip.vapi.ai');
    expect(result).toContain('dashboard.vapi.ai');
    const audit = await harness.app.services.store.audit.list({ workspaceKey: teamKey(team.id), actions: ['number.create'], limit: 1 });
    expect(audit[0]).toMatchObject({ outcome: 'ok', backend: 'vapi', userId: harness.actors.operator.userId });
  });

  it('a free number sends a 3-digit area code and says it takes minutes to activate', async () => {
    const view = await sipForm({ answeredBy: 'workflow' });
    await harness.slack.submitView(view, { name: 'Support', area_code: '415', workflow: 'wf-123' }, harness.actors.operator);
    const result = JSON.stringify(await settled(view.id));
    expect(vapiPosts()[0]?.body).toEqual({
      provider: 'vapi',
      name: expect.stringMatching(/^Support #sb-/),
      numberDesiredAreaCode: '415',
      workflowId: 'wf-123',
    });
    expect(vapiPosts()[0]?.problems).toEqual([]);
    expect(result).toContain('activate');
    expect(result).toContain('Register for a subscriber');
  });

  it('a SIP URI whose callers sign in: generated credentials fill the inputs, keep the rest, and are shown once', async () => {
    const view = await sipForm({ kind: 'sip', login: true, answeredBy: 'workflow' });
    const withCredentials = await useInForm(harness, view, 'numbers.sip.generate', harness.actors.operator, {
      typed: { name: 'Support', sip_user: 'support' },
    });
    const blocks = withCredentials.blocks as { block_id?: string; element?: { initial_value?: string } }[];
    // New block ids, so Slack shows the generated values instead of keeping what the inputs held.
    const password = blocks.find((block) => block.block_id === 'sip_password.v1')?.element?.initial_value ?? '';
    expect(password.length).toBeGreaterThanOrEqual(20);
    expect(blocks.some((block) => block.block_id === 'sip_username.v1')).toBe(true);
    expect(blocks.find((block) => block.block_id === 'name')?.element?.initial_value).toBe('Support');
    expect(blocks.find((block) => block.block_id === 'sip_user')?.element?.initial_value).toBe('support');

    await harness.slack.submitView(withCredentials, { workflow: 'wf-123' }, harness.actors.operator);
    const result = JSON.stringify(await settled(view.id));
    const body = vapiPosts()[0]?.body as Record<string, any>;
    expect(body.sipUri).toBe('sip:support@sip.vapi.ai');
    expect(body.authentication.password).toBe(password);
    expect(vapiPosts()[0]?.problems).toEqual([]);
    expect(result).toContain(password);
    const jobs = await harness.app.services.store.jobs.list({ kinds: ['vapi.number.create'], limit: 1 });
    expect(JSON.stringify(jobs[0]?.payload)).not.toContain(password);
  });

  const sip = { kind: 'sip', answeredBy: 'workflow' } as const;
  const invalid: [string, VapiFormChoices, Record<string, unknown>, string[]][] = [
    ['area code "41"', { answeredBy: 'workflow' }, { name: 'A', area_code: '41', workflow: 'wf' }, ['area_code']],
    [
      'a 10-character username',
      { ...sip, login: true },
      { name: 'A', sip_user: 'ok', sip_username: 'u'.repeat(10), sip_password: 'p'.repeat(25), workflow: 'wf' },
      ['sip_username'],
    ],
    ['a 41-character name', sip, { name: 'n'.repeat(41), sip_user: 'ok', workflow: 'wf' }, ['name']],
    ['an http server URL', { kind: 'sip', answeredBy: 'server' }, { name: 'A', sip_user: 'ok', server_url: 'http://example.com/hook' }, ['server_url']],
    // Slack asks for a required input before it sends the form; a payload without it is still refused.
    ['answered by your server, without a server URL', { kind: 'sip', answeredBy: 'server' }, { name: 'A', sip_user: 'ok', server_url: '' }, ['server_url']],
    ['a bad SIP user', sip, { name: 'A', sip_user: 'has space', workflow: 'wf' }, ['sip_user']],
    [
      'a timeout of 301 s',
      { ...sip, more: true },
      { name: 'A', sip_user: 'ok', workflow: 'wf', server_url: 'https://example.com', server_timeout: '301' },
      ['server_timeout'],
    ],
    [
      'an impossible fallback number',
      { kind: 'sip', answeredBy: 'server', more: true },
      { name: 'A', sip_user: 'ok', server_url: 'https://example.com/vapi', fallback: '+1 415 555' },
      ['fallback'],
    ],
  ];
  it.each(invalid)('%s → inline errors, nothing sent', async (_name, choices, values, fields) => {
    const view = await sipForm(choices);
    const answer = await harness.slack.submitView(view, values, harness.actors.operator);
    expect(answer.json?.response_action).toBe('errors');
    expect(Object.keys(answer.json?.errors ?? {}).sort()).toEqual([...fields].sort());
    expect(vapiPosts()).toHaveLength(0);
  });

  const vendorFailures: [string, () => void, RegExp, number][] = [
    [
      '400 with a message array',
      () =>
        harness.vapi.inject({
          match: 'POST /phone-number',
          reply: { status: 400, body: { statusCode: 400, error: 'Bad Request', message: ['assistantId must be a UUID', 'name must be shorter'] } },
        }),
      /Vapi did not accept the request.*Details: Vapi answered 400: assistantId must be a UUID; name must be shorter/,
      1,
    ],
    [
      '401',
      () => harness.vapi.inject({ match: 'POST /phone-number', reply: { status: 401, body: { statusCode: 401, message: 'Invalid Key' } } }),
      /VAPI_API_KEY/,
      1,
    ],
  ];
  it.each(vendorFailures)('Vapi %s: plain words in the modal, no retry', async (_name, arrange, expected, calls) => {
    arrange();
    const view = await sipForm();
    await harness.slack.submitView(view, { name: 'A', sip_user: 'x1', workflow: 'wf-1' }, harness.actors.operator);
    expect(JSON.stringify(await settled(view.id))).toMatch(expected);
    expect(vapiPosts()).toHaveLength(calls);
  });

  it('Vapi 429 is retried (the request never reached it); 5xx is not resent blindly but looked up first, making one number', async () => {
    harness.vapi.inject({ match: 'POST /phone-number', reply: { status: 429, headers: { 'retry-after': '1' }, body: { message: 'Too Many Requests' } } });
    const first = await sipForm();
    await harness.slack.submitView(first, { name: 'Rate', sip_user: 'rate', workflow: 'wf' }, harness.actors.operator);
    expect(JSON.stringify(await settled(first.id))).toContain('Created on Vapi');
    expect(vapiPosts()).toHaveLength(2);

    harness.vapi.requests.length = 0;
    harness.vapi.inject({ match: 'POST /phone-number', reply: { status: 502, body: { message: 'Bad Gateway' } } });
    const second = await sipForm();
    await harness.slack.submitView(second, { name: 'Gateway', sip_user: 'gateway', workflow: 'wf' }, harness.actors.operator);
    await eventually(() => [...harness.vapi.numbers.values()].some((number) => String(number.name).startsWith('Gateway #sb-')), {
      timeoutMs: 15_000,
      message: 'the number after the 502',
    });
    expect(harness.vapi.requestsTo('GET', '/v2/phone-number').length).toBeGreaterThanOrEqual(1);
    expect([...harness.vapi.numbers.values()].filter((number) => String(number.name).startsWith('Gateway #sb-'))).toHaveLength(1);
  });

  it('a double submission provisions once', async () => {
    harness.vapi.latencyMs = 200;
    const view = await sipForm();
    const values = { name: 'Twice', sip_user: 'twice', workflow: 'wf' };
    await Promise.all([harness.slack.submitView(view, values, harness.actors.operator), harness.slack.submitView(view, values, harness.actors.operator)]);
    await settled(view.id);
    harness.vapi.latencyMs = 0;
    expect(vapiPosts()).toHaveLength(1);
  });

  it('only operators provision: an admin’s submission becomes a request, a member is refused and audited; nothing is sent', async () => {
    const view = await sipForm();
    const asked = await harness.slack.submitView(view, { name: 'A', sip_user: 'ok', workflow: 'wf' }, harness.actors.admin);
    expect(JSON.stringify(asked.json?.view)).toContain('Request sent');
    const refused = await harness.slack.submitView(view, { name: 'B', sip_user: 'ok2', workflow: 'wf' }, harness.actors.member);
    expect(refused.json?.errors?.name).toContain('may ask an operator to provision a phone number');
    expect(vapiPosts()).toHaveLength(0);
    const command = await harness.slack.command('/phone', 'sip', harness.actors.member);
    expect(command.json?.text).toContain('may ask an operator to provision a phone number');
    const audit = await harness.app.services.store.audit.list({ workspaceKey: teamKey(team.id), actions: ['numbers.request'], limit: 3 });
    expect(audit.map((entry) => `${entry.userId} ${entry.outcome}`)).toEqual([
      `${harness.actors.member.userId} refused`,
      `${harness.actors.member.userId} refused`,
      `${harness.actors.admin.userId} queued`,
    ]);
  });
});

describe('/phone import', () => {
  it('sends exactly number, number_type and capabilities; the name follows in an update', async () => {
    const view = await openModal('import (800) 555-0100', 'numbers.import');
    expect(JSON.stringify(view)).toContain('"initial_option":{"text":{"type":"plain_text","text":"Toll-free"');
    await harness.slack.submitView(view, { capabilities: ['sms', 'voice'], name: 'Main line' }, harness.actors.operator);
    const result = JSON.stringify(await settled(view.id));
    expect(importPosts()).toHaveLength(1);
    expect(importPosts()[0]?.problems).toEqual([]);
    expect(importPosts()[0]?.body).toEqual({ number: '+18005550100', number_type: 'tollfree', capabilities: ['sms', 'voice'] });
    const renames = harness.signalwire.requests.filter((request) => request.method === 'PUT');
    expect(renames.map((request) => request.body)).toEqual([{ name: 'Main line' }]);
    expect(renames[0]?.problems).toEqual([]);
    expect(result).toContain('+18005550100');
    expect(result).toContain('toll-free');
    expect(result).toContain('Main line');
  });

  it('a SignalWire 422 error list, a 401 and a space without imports are explained', async () => {
    harness.signalwire.numbers.set('existing', { id: 'existing', number: '+14155550100', number_type: 'longcode', capabilities: ['sms'] });
    const taken = await openModal('import +14155550100', 'numbers.import');
    await harness.slack.submitView(taken, {}, harness.actors.operator);
    expect(JSON.stringify(await settled(taken.id))).toContain('is already in SignalWire, imported before this request');

    harness.signalwire.inject({ match: 'POST /api/relay/rest/imported_phone_numbers', reply: { status: 401, body: { error: 'Unauthorized' } } });
    const refused = await openModal('import +14155550101', 'numbers.import');
    await harness.slack.submitView(refused, {}, harness.actors.operator);
    expect(JSON.stringify(await settled(refused.id))).toContain('SIGNALWIRE_API_TOKEN');

    harness.signalwire.partnerApiEnabled = false;
    const disabled = await openModal('import +14155550102', 'numbers.import');
    await harness.slack.submitView(disabled, {}, harness.actors.operator);
    expect(JSON.stringify(await settled(disabled.id))).toContain('cannot import numbers');
    harness.signalwire.partnerApiEnabled = true;
  });

  it('checks the number before sending anything', async () => {
    const view = await openModal('import', 'numbers.import');
    const answer = await harness.slack.submitView(view, { number: '+1 415 555', capabilities: [] }, harness.actors.operator);
    expect(Object.keys(answer.json?.errors ?? {}).sort()).toEqual(['capabilities', 'number']);
    expect(importPosts()).toHaveLength(0);
  });
});

describe('provision, then register for a subscriber', () => {
  it('the result offers Register, which opens the register form with the number; submitting makes the Novu endpoint', async () => {
    const view = await openModal('import +1 415 555 0177', 'numbers.import');
    await harness.slack.submitView(view, {}, harness.actors.operator);
    const result = await settled(view.id);
    await harness.slack.clickButton({ view: result }, 'phone.register.open', harness.actors.operator);
    const register = await eventually(() => harness.emulator.callsTo('views.push').find((call) => call.ok) && harness.latestView('phone.register'), {
      message: 'the register modal pushed on top',
    });
    expect(JSON.stringify(register)).toContain('+14155550177');
    await harness.slack.submitView(register, { subscriber: 'sub-1', 'phone.integration': 'twilio-sms' }, harness.actors.operator);
    await eventually(() => [...harness.novu.endpoints.values()].some((endpoint) => endpoint.endpoint.phoneNumber === '+14155550177'), {
      message: 'the Novu endpoint for the new number',
    });
  });
});

describe('/phone numbers', () => {
  it('shows the workspace’s numbers on both vendors side by side with their Novu registrations; operators see every number, labelled', async () => {
    const { store } = harness.app.services;
    harness.vapi.numbers.set('v1', { id: 'v1', provider: 'vapi', number: '+14155550188', name: 'Vapi line', status: 'active' });
    harness.vapi.numbers.set('v-elsewhere', { id: 'v-elsewhere', provider: 'vapi', number: '+14155550166', name: 'Not ours', status: 'active' });
    harness.signalwire.numbers.set('s1', { id: 's1', number: '+14155550199', name: 'SW line', number_type: 'toll-free', capabilities: ['sms'] });
    const owned = { workspaceKey: teamKey(team.id), sipUri: null, status: 'active', createdBy: harness.actors.operator.userId };
    await store.numbers.add({ ...owned, backend: 'vapi', vendorId: 'v1', number: '+14155550188', name: 'Vapi line' });
    await store.numbers.add({ ...owned, backend: 'signalwire', vendorId: 's1', number: '+14155550199', name: 'SW line' });
    await store.endpoints.add({
      identifier: 'e1',
      workspaceKey: teamKey(team.id),
      type: 'phone',
      subscriberId: 'sub-9',
      integrationIdentifier: 'twilio-sms',
      connectionIdentifier: null,
      target: '+14155550188',
      createdBy: harness.actors.admin.userId,
      contextKeys: [`tenant:${team.id}`],
    });
    const numbersFor = async (actor: typeof harness.actors.admin) => {
      const response = await harness.slack.command('/phone', 'numbers', actor);
      return JSON.stringify((await eventually(() => harness.emulator.responsesTo(response.responseUrl ?? '').at(-1))).body);
    };
    const message = await numbersFor(harness.actors.admin);
    expect(message).toContain('*Vapi* (1)');
    expect(message).toContain('*SignalWire* (1)');
    expect(message).toMatch(/\+14155550188.*registered for `sub-9`/);
    expect(message).toMatch(/\+14155550199.*not registered in Novu/);
    expect(message).not.toContain('+14155550166');

    const everything = await numbersFor(harness.actors.operator);
    expect(everything).toContain('all workspaces');
    expect(everything).toMatch(/\+14155550166.*not provisioned through Switchboard/);
    expect(everything).toMatch(/\+14155550188.*Acme Ops/);
  });

  it('a number registered for nobody offers Register for a subscriber beside Release, which opens the register form with the number filled in', async () => {
    const { store } = harness.app.services;
    harness.signalwire.numbers.set('s2', { id: 's2', number: '+14155550144', name: 'Front desk', number_type: 'longcode', capabilities: ['sms'] });
    harness.vapi.numbers.set('v2', { id: 'v2', provider: 'vapi', number: '+14155550155', name: 'Lobby', status: 'active' });
    const owned = { workspaceKey: teamKey(team.id), sipUri: null, status: 'active', createdBy: harness.actors.operator.userId };
    await store.numbers.add({ ...owned, backend: 'signalwire', vendorId: 's2', number: '+14155550144', name: 'Front desk' });
    await store.numbers.add({ ...owned, backend: 'vapi', vendorId: 'v2', number: '+14155550155', name: 'Lobby' });
    await store.endpoints.add({
      identifier: 'e-lobby',
      workspaceKey: teamKey(team.id),
      type: 'phone',
      subscriberId: 'sub-lobby',
      integrationIdentifier: 'twilio-sms',
      connectionIdentifier: null,
      target: '+14155550155',
      createdBy: harness.actors.admin.userId,
      contextKeys: [`tenant:${team.id}`],
    });
    const response = await harness.slack.command('/phone', 'numbers', harness.actors.admin);
    const message = (await eventually(() => harness.emulator.responsesTo(response.responseUrl ?? '').at(-1))).body;
    const blocks = message.blocks as { type: string; text?: { text: string }; elements?: { action_id: string; value?: string; text?: { text: string } }[] }[];
    const rowOf = (number: string) => blocks.findIndex((block) => block.type === 'section' && (block.text?.text ?? '').includes(number));
    // By name first; the number registered for nobody says so, and its row offers both buttons.
    const frontDesk = rowOf('+14155550144');
    expect(blocks[frontDesk]?.text?.text).toMatch(/^\*Front desk\* `\+14155550144` · long code · not registered in Novu yet/);
    const buttons = blocks[frontDesk + 1]?.elements ?? [];
    expect(buttons.map((element) => element.text?.text)).toEqual(['Register for a subscriber', 'Change', 'Release']);
    // The one registered already offers Release alone.
    expect(JSON.stringify(blocks[rowOf('+14155550155')])).not.toContain('phone.register.open');
    expect(JSON.stringify(message)).toContain('makes the number a phone endpoint of a Novu subscriber');

    const register = buttons[0];
    if (!register) throw new Error('no Register button');
    const before = new Set(harness.emulator.views.keys());
    await harness.slack.clickButton({ message, responseUrl: response.responseUrl }, register.action_id, harness.actors.admin);
    const form = await eventually(() => [...harness.emulator.views.values()].find((view) => !before.has(view.id) && view.callback_id === 'phone.register'), {
      message: 'the register form',
    });
    expect(checkView(form)).toEqual([]);
    expect(JSON.stringify(form.blocks)).toContain('"initial_value":"+14155550144"');
  });
});

describe('without Vapi or SignalWire keys', () => {
  it('the commands say which variables to set', async () => {
    const bare = await startHarness();
    try {
      await bare.install();
      const sip = await bare.slack.command('/phone', 'sip', bare.actors.operator);
      expect(sip.json?.text).toContain('VAPI_API_KEY');
      const imported = await bare.slack.command('/phone', 'import', bare.actors.operator);
      expect(imported.json?.text).toContain('SIGNALWIRE_API_TOKEN');
    } finally {
      await bare.stop();
    }
  });
});
