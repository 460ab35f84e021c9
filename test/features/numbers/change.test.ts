import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { teamKey } from '../../../src/store/workspace-key.js';
import { eventually, type Harness } from '../../kit/harness.js';
import type { EmulatedView } from '../../kit/slack-emulator.js';
import type { Actor } from '../../kit/slack-sender.js';
import { openVapiForm } from '../../kit/vapi-form.js';
import { acme, startWorld, type World } from '../../tenancy/world.js';

/**
 * A number changed in place, through the real receiver against the spec-validating Vapi and
 * SignalWire fakes: the form filled in from the vendor's number, the confirmation's before → after,
 * one vendor request with only what changes, the audit line, the approval for those who may only
 * ask, another workspace refused, and a vendor's refusal told in words with its text in the details.
 */
let world: World;
let h: Harness;
beforeAll(async () => {
  world = await startWorld({ vapi: true, signalwire: true });
  h = world.harness;
  await world.installAcme();
  await world.installGlobex();
});
afterAll(() => h.stop());
beforeEach(() => {
  for (const backend of [h.vapi, h.signalwire]) {
    backend.clearFaults();
    backend.requests.length = 0;
  }
});

const acmeKey = teamKey(acme.id);
const text = (value: unknown) => JSON.stringify(value);
const dmsTo = (actor: Actor) => [...h.emulator.messages.values()].filter((message) => message.channel === `D${actor.userId.slice(1)}`);

/** A Vapi SIP number of Acme's answered by the fake's first assistant. */
async function acmeVapiNumber(): Promise<{ id: string; sipUri: string }> {
  const id = randomUUID();
  const sipUri = `sip:desk-${id.slice(0, 8)}@sip.vapi.ai`;
  const at = new Date().toISOString();
  h.vapi.numbers.set(id, {
    id,
    orgId: 'org',
    provider: 'vapi',
    status: 'active',
    sipUri,
    name: 'Desk',
    assistantId: h.vapi.assistants[0]?.id,
    createdAt: at,
    updatedAt: at,
  });
  await h.app.services.store.numbers.add({
    backend: 'vapi',
    vendorId: id,
    workspaceKey: acmeKey,
    number: null,
    sipUri,
    name: 'Desk',
    status: 'active',
    createdBy: world.acmeAdmin.userId,
  });
  return { id, sipUri };
}

/** A SignalWire number of Acme's, imported as SignalWire answers an import (no handlers yet). */
async function acmeSignalWireNumber(number: string): Promise<string> {
  const id = randomUUID();
  h.signalwire.numbers.set(id, {
    id,
    number,
    name: null,
    number_type: 'longcode',
    call_handler: 'laml_webhooks',
    call_request_url: 'https://calls.example.com/voice',
    message_handler: null,
    message_request_url: null,
    e911_address_id: null,
    next_billed_at: '2027-01-01T00:00:00Z',
  });
  await h.app.services.store.numbers.add({
    backend: 'signalwire',
    vendorId: id,
    workspaceKey: acmeKey,
    number,
    sipUri: null,
    name: null,
    status: 'active',
    createdBy: world.acmeAdmin.userId,
  });
  return id;
}

async function numbersList(actor: Actor): Promise<{ message: Record<string, any>; responseUrl: string }> {
  const response = await h.slack.command('/phone', 'numbers', actor);
  const responseUrl = response.responseUrl ?? '';
  const post = await eventually(() => h.emulator.responsesTo(responseUrl).at(-1), { message: '/phone numbers' });
  return { message: post.body as Record<string, any>, responseUrl };
}

/** Clicks Change beside a number of `/phone numbers`; returns the modal once it shows the form (or what it shows instead). */
async function openChange(actor: Actor, vendorId: string, list?: { message: Record<string, any>; responseUrl: string }): Promise<EmulatedView> {
  const from = list ?? (await numbersList(actor));
  const before = new Set(h.emulator.views.keys());
  await h.slack.clickButton({ message: from.message, responseUrl: from.responseUrl }, `numbers.change:${vendorId}`, actor);
  return eventually(() => [...h.emulator.views.values()].find((view) => !before.has(view.id) && !text(view).includes('Changing ')), {
    message: 'the change form',
  });
}

async function settled(viewId: string): Promise<EmulatedView> {
  return eventually(
    () => {
      const view = h.emulator.views.get(viewId);
      return view && !text(view).includes(':hourglass_flowing_sand: Changing') ? view : undefined;
    },
    { timeoutMs: 15_000, message: 'the result in the modal' },
  );
}

const squad = () => ({ text: { type: 'plain_text', text: h.vapi.squads[0]?.name ?? '' }, value: h.vapi.squads[0]?.id ?? '' });

describe('change in place', () => {
  it('assistant → squad is one PATCH with only what changes, valid per Vapi’s spec, shown before → after and audited', async () => {
    const { id } = await acmeVapiNumber();
    const form = await openChange(world.operator, id);
    expect(form.callback_id).toBe('numbers.change.form');
    expect(text(form)).toContain(h.vapi.assistants[0]?.name);
    expect(text(form)).toContain('assistant-request');

    await h.slack.submitView(form, { change_answered_by: 'squad', 'numbers.squad': squad() }, world.operator);
    const confirm = h.emulator.views.get(form.id);
    expect(confirm?.callback_id).toBe('numbers.change.confirm');
    expect(text(confirm)).toContain(`assistant ${h.vapi.assistants[0]?.name} → squad ${h.vapi.squads[0]?.name}`);
    expect(h.vapi.requestsTo('PATCH', `/phone-number/${id}`)).toHaveLength(0);

    await h.slack.submitView(confirm as EmulatedView, {}, world.operator);
    const result = text(await settled(form.id));
    expect(result).toContain('Changed');
    expect(result).toContain(`squad ${h.vapi.squads[0]?.name}`);

    const patches = h.vapi.requestsTo('PATCH', `/phone-number/${id}`);
    expect(patches).toHaveLength(1);
    expect(patches[0]?.body).toEqual({ provider: 'vapi', assistantId: null, squadId: h.vapi.squads[0]?.id });
    expect(patches[0]?.problems).toEqual([]);
    expect(h.vapi.numbers.get(id)).toMatchObject({ squadId: h.vapi.squads[0]?.id });
    expect(h.vapi.numbers.get(id)?.assistantId).toBeUndefined();

    const audit = await eventually(async () =>
      (await h.app.services.store.audit.list({ workspaceKey: acmeKey, limit: 50 })).find((entry) => entry.action === 'number.change' && entry.backendId === id),
    );
    expect(audit).toMatchObject({ outcome: 'ok', userId: world.operator.userId });
  });

  it('fallback destination and hooks: a SIP fallback with its message, and a transfer when the assistant-request fails', async () => {
    const { id } = await acmeVapiNumber();
    const form = await openChange(world.operator, id);
    await h.slack.submitView(
      form,
      { change_fallback_to: 'sip:desk@pbx.example.com', change_fallback_message: 'One moment', change_ending: 'transfer' },
      world.operator,
    );
    const confirm = h.emulator.views.get(form.id) as EmulatedView;
    expect(text(confirm)).toContain('none (the call is hung up) → sip:desk@pbx.example.com');
    await h.slack.submitView(confirm, {}, world.operator);
    await settled(form.id);
    const [patch] = h.vapi.requestsTo('PATCH', `/phone-number/${id}`);
    const destination = { type: 'sip', sipUri: 'sip:desk@pbx.example.com', message: 'One moment' };
    expect(patch?.body).toMatchObject({
      provider: 'vapi',
      fallbackDestination: destination,
      hooks: [{ on: 'call.ending', do: { type: 'transfer', destination } }],
    });
    expect(Object.keys(patch?.body as object).sort()).toEqual(['fallbackDestination', 'hooks', 'provider']);
    expect(patch?.problems).toEqual([]);
  });

  it('nothing changed is said under the form, and nothing is sent', async () => {
    const { id } = await acmeVapiNumber();
    const form = await openChange(world.operator, id);
    const answer = await h.slack.submitView(form, {}, world.operator);
    expect(text(answer.json)).toContain('Nothing here differs');
    expect(h.vapi.requestsTo('PATCH', `/phone-number/${id}`)).toHaveLength(0);
  });

  it('a vendor’s refusal is told in words, with its own text in the details, and the number is as it was', async () => {
    const { id } = await acmeVapiNumber();
    const form = await openChange(world.operator, id);
    await h.slack.submitView(form, { change_answered_by: 'squad', 'numbers.squad': squad() }, world.operator);
    h.vapi.inject({
      match: `PATCH /phone-number/${id}`,
      reply: { status: 400, body: { message: ['squadId must be a UUID'], error: 'Bad Request', statusCode: 400 } },
    });
    await h.slack.submitView(h.emulator.views.get(form.id) as EmulatedView, {}, world.operator);
    const result = text(await settled(form.id));
    expect(result).toContain('was not changed');
    expect(result).toContain('Details:');
    expect(result).toContain('squadId must be a UUID');
    expect(h.vapi.numbers.get(id)?.assistantId).toBe(h.vapi.assistants[0]?.id);
  });

  it('a vendor failing with 5xx is said in words while Switchboard keeps trying, and the change lands once when it answers', async () => {
    const { id } = await acmeVapiNumber();
    const form = await openChange(world.operator, id);
    await h.slack.submitView(form, { change_answered_by: 'squad', 'numbers.squad': squad() }, world.operator);
    h.vapi.inject({ match: `PATCH /phone-number/${id}`, times: 1_000, reply: { status: 503, body: { message: 'Service Unavailable', statusCode: 503 } } });
    await h.slack.submitView(h.emulator.views.get(form.id) as EmulatedView, {}, world.operator);
    const shown = text(await settled(form.id));
    expect(shown).not.toContain('Changed');
    expect(shown).toMatch(/slow to answer|internal problem/);
    h.vapi.clearFaults();
    await eventually(() => (h.vapi.numbers.get(id)?.squadId === h.vapi.squads[0]?.id ? true : undefined), {
      timeoutMs: 20_000,
      message: 'the change after the outage',
    });
    expect(h.vapi.requestsTo('PATCH', `/phone-number/${id}`).filter((request) => request.status === 200)).toHaveLength(1);
  });

  it('a member who may only ask: the change waits for an operator, then one PUT changes the message handler, and the requester is told before → after', async () => {
    const id = await acmeSignalWireNumber('+14155550777');
    const list = await numbersList(world.acmeAdmin);
    expect(text(list.message)).toContain('Calls: cXML webhook https://calls.example.com/voice');
    expect(text(list.message)).toContain('Texts: nothing set');
    const form = await openChange(world.acmeAdmin, id, list);
    expect(text(form)).toContain('operator approves');
    await h.slack.submitView(form, { change_message_handler: 'laml_webhooks', change_message_to: 'https://hooks.example.com/sms' }, world.acmeAdmin);
    const confirm = h.emulator.views.get(form.id) as EmulatedView;
    expect(text(confirm)).toContain('nothing set → cXML webhook https://hooks.example.com/sms');
    await h.slack.submitView(confirm, {}, world.acmeAdmin);
    expect(text(h.emulator.views.get(form.id))).toContain('Request sent');
    expect(h.signalwire.requestsTo('PUT', `/api/relay/rest/phone_numbers/${id}`)).toHaveLength(0);

    const pending = (await h.app.services.store.numberRequests.pending({ workspaceKey: acmeKey, limit: 50 })).find((request) =>
      text(request.payload).includes(id),
    );
    if (!pending) throw new Error('no stored request for the change');
    const asked = await eventually(() => dmsTo(world.operator).find((message) => text(message.blocks ?? []).includes(`"value":"${pending.id}"`)));
    await h.slack.clickButton({ message: { blocks: asked.blocks } }, 'numbers.request.approve', world.operator);
    await eventually(() => h.signalwire.requestsTo('PUT', `/api/relay/rest/phone_numbers/${id}`).length === 1 || undefined, { message: 'the PUT' });
    const [put] = h.signalwire.requestsTo('PUT', `/api/relay/rest/phone_numbers/${id}`);
    expect(put?.body).toEqual({ message_handler: 'laml_webhooks', message_request_url: 'https://hooks.example.com/sms' });
    expect(put?.problems).toEqual([]);
    expect(h.signalwire.numbers.get(id)).toMatchObject({ message_handler: 'laml_webhooks', call_request_url: 'https://calls.example.com/voice' });
    await eventually(
      () =>
        dmsTo(world.acmeAdmin).find((message) => String(message.text).includes('Changed') && String(message.text).includes('https://hooks.example.com/sms')),
      {
        message: 'the requester told the result',
      },
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(h.signalwire.requestsTo('PUT', `/api/relay/rest/phone_numbers/${id}`)).toHaveLength(1);
  });

  it('another workspace’s admin cannot open or confirm a change of Acme’s number', async () => {
    const id = await acmeSignalWireNumber('+14155550778');
    const acmeList = await numbersList(world.operator);
    const refused = await openChange(world.globexAdmin, id, acmeList);
    expect(text(refused)).toContain('There is no such number in this workspace');
    const form = await openChange(world.operator, id, acmeList);
    await h.slack.submitView(form, { change_message_handler: 'relay_topic', change_message_to: 'office' }, world.operator);
    const replay = await h.slack.submitView(h.emulator.views.get(form.id) as EmulatedView, {}, world.globexAdmin);
    expect(text(replay.json)).toContain('There is no such number in this workspace');
    expect(h.signalwire.requestsTo('PUT', `/api/relay/rest/phone_numbers/${id}`)).toHaveLength(0);
  });
});

describe('every seed field on a new Vapi number', () => {
  it('More options send the SIP realm, a SIP fallback with its message, and the ringing and assistant-request hooks, valid per Vapi’s spec', async () => {
    const view = await openVapiForm(h, world.operator, { kind: 'sip', login: true, answeredBy: 'server', more: true });
    expect(text(view)).toContain('no assistant, squad or workflow answers and the assistant-request');
    await h.slack.submitView(
      view,
      {
        name: 'Seeded',
        sip_user: `seeded-${randomUUID().slice(0, 8)}`,
        sip_username: 'seeded-user-0123456789',
        sip_password: 'seeded-pass-0123456789',
        server_url: 'https://example.com/vapi',
        fallback: 'sip:desk@pbx.example.com',
        fallback_message: 'One moment',
        ending_transfer: '+14155550100',
        ringing_say: 'We are closed today',
        sip_realm: 'pbx.example.com',
      },
      world.operator,
    );
    const post = await eventually(() => h.vapi.requestsTo('POST', '/phone-number').at(-1), { message: 'the create' });
    expect(post.problems).toEqual([]);
    expect(post.body).toMatchObject({
      authentication: { username: 'seeded-user-0123456789', realm: 'pbx.example.com' },
      fallbackDestination: { type: 'sip', sipUri: 'sip:desk@pbx.example.com', message: 'One moment' },
      hooks: [
        { on: 'call.ringing', do: [{ type: 'say', exact: 'We are closed today' }] },
        { on: 'call.ending', do: { type: 'transfer', destination: { type: 'number', number: '+14155550100' } } },
      ],
    });
  });
});
