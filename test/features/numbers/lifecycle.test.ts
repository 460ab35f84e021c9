import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { teamKey } from '../../../src/store/workspace-key.js';
import { eventually, type Harness } from '../../kit/harness.js';
import type { EmulatedView } from '../../kit/slack-emulator.js';
import type { Actor } from '../../kit/slack-sender.js';
import { openVapiForm } from '../../kit/vapi-form.js';
import { acme, globex, startWorld, type World } from '../../tenancy/world.js';

/**
 * After "created": a free Vapi number followed until it is active (or blocked), and numbers given
 * back, through the real receiver against the spec-validating Vapi, SignalWire and Novu fakes.
 */
let world: World;
let h: Harness;
beforeAll(async () => {
  world = await startWorld({
    vapi: true,
    signalwire: true,
    env: { NUMBER_ACTIVATION_CHECK_SECONDS: '0.2', NUMBER_ACTIVATION_TIMEOUT_MINUTES: '0.05' },
  });
  h = world.harness;
  // More free numbers than a Vapi account may hold are made here; the limit has a test of its own.
  h.vapi.freeNumberLimit = 50;
  for (const install of [world.installAcme, world.installGlobex]) expect((await install()).html).toContain('Connected to Novu');
});
afterAll(() => h.stop());
beforeEach(() => {
  for (const backend of [h.vapi, h.signalwire, h.novu]) backend.clearFaults();
});

const dmsTo = (actor: Actor) => [...h.emulator.messages.values()].filter((message) => message.channel === `D${actor.userId.slice(1)}`);
const lastDmTo = (actor: Actor) => dmsTo(actor).at(-1)?.text ?? '';
const homeOf = (actor: Actor) => JSON.stringify(h.emulator.homeViews.get(actor.userId) ?? {});
const vendorBodiesValid = () => [...h.vapi.requests, ...h.signalwire.requests, ...h.novu.requests].flatMap((request) => request.problems);

/** Waits until a modal left its working state ("Provisioning…", "Releasing…"), and returns it. */
async function settled(viewId: string): Promise<EmulatedView> {
  return eventually(
    () => {
      const view = h.emulator.views.get(viewId);
      return view && !/Provisioning on|Releasing /.test(JSON.stringify(view)) ? view : undefined;
    },
    { timeoutMs: 15_000, message: 'the result in the modal' },
  );
}

/** An operator of Acme creates a free Vapi number (no SIP credentials, so the result modal can be redrawn). */
async function freeVapiNumber(name: string): Promise<{ id: string; view: EmulatedView }> {
  const view = await openVapiForm(h, world.operator, { answeredBy: 'workflow' });
  await h.slack.submitView(view, { name, area_code: '415', workflow: 'wf-1' }, world.operator);
  const result = await settled(view.id);
  const created = [...h.vapi.numbers.values()].find((number) => String(number.name).startsWith(name));
  if (!created) throw new Error('Vapi has no new number');
  expect(JSON.stringify(result)).toContain('activating');
  return { id: created.id, view: result };
}

/** An operator of `actor`'s workspace imports a number into SignalWire for it. */
async function importedNumber(number: string, actor: Actor = world.operator): Promise<string> {
  const view = await h.openModal('/phone', `import ${number}`, 'numbers.import', actor);
  await h.slack.submitView(view, {}, actor);
  await settled(view.id);
  const imported = [...h.signalwire.numbers.values()].find((entry) => entry.number === number);
  if (!imported) throw new Error(`SignalWire has no ${number}`);
  return imported.id;
}

async function registerEndpoint(actor: Actor, number: string, subscriberId: string): Promise<string> {
  const view = await h.openModal('/phone', 'register', 'phone.register', actor);
  h.novu.subscribers.set(subscriberId, { subscriberId, email: `${subscriberId}@example.com` });
  await h.slack.submitView(view, { 'phone.integration': 'whatsapp-business', subscriber: subscriberId, number }, actor);
  return eventually(
    () => [...h.novu.endpoints.values()].find((endpoint) => endpoint.subscriberId === subscriberId && endpoint.endpoint.phoneNumber === number)?.identifier,
    { message: `the endpoint of ${subscriberId}` },
  );
}

/** `/phone numbers` as `actor` sees it: the message and where its buttons answer. */
async function numbersList(actor: Actor): Promise<{ message: Record<string, any>; responseUrl: string }> {
  const response = await h.slack.command('/phone', 'numbers', actor);
  const responseUrl = response.responseUrl ?? '';
  const post = await eventually(() => h.emulator.responsesTo(responseUrl).at(-1), { message: '/phone numbers' });
  return { message: post.body as Record<string, any>, responseUrl };
}

/** Clicks Release beside a number of `/phone numbers` and returns the modal it opened. */
async function clickRelease(actor: Actor, vendorId: string, from?: { message: Record<string, any>; responseUrl: string }): Promise<EmulatedView> {
  const list = from ?? (await numbersList(actor));
  const before = new Set(h.emulator.views.keys());
  await h.slack.clickButton({ message: list.message, responseUrl: list.responseUrl }, `numbers.release:${vendorId}`, actor);
  return eventually(() => [...h.emulator.views.values()].find((view) => !before.has(view.id)), { message: 'the release modal' });
}

describe('activation', () => {
  it('a free number followed to active: a direct message, the result modal redrawn, the App Home and the record up to date', async () => {
    const { id, view } = await freeVapiNumber('Front desk');
    await eventually(() => h.vapi.requestsTo('GET', `/phone-number/${id}`).length >= 2, { message: 'checks while activating' });
    expect(lastDmTo(world.operator)).not.toContain('is active');

    h.vapi.settle(id, 'active');
    await eventually(() => lastDmTo(world.operator).includes('is active'), { message: 'the activation message' });
    await eventually(() => JSON.stringify(h.emulator.views.get(view.id)).includes('is active'), { message: 'the result modal redrawn' });
    await eventually(() => /active/.test(homeOf(world.operator)) && homeOf(world.operator).includes(id), { message: 'the App Home' });
    expect((await h.app.services.store.numbers.find('vapi', id))?.status).toBe('active');
    const audit = await h.app.services.store.audit.list({ workspaceKey: teamKey(acme.id), actions: ['number.activation'], limit: 1 });
    expect(audit[0]).toMatchObject({ outcome: 'ok', backendId: id });
    // Once settled, nobody asks Vapi again.
    const checks = h.vapi.requestsTo('GET', `/phone-number/${id}`).length;
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(h.vapi.requestsTo('GET', `/phone-number/${id}`)).toHaveLength(checks);
    expect(vendorBodiesValid()).toEqual([]);
  });

  it('a blocked number: the message says what to do, the App Home shows it blocked', async () => {
    const { id } = await freeVapiNumber('Blocked line');
    h.vapi.settle(id, 'blocked');
    await eventually(() => lastDmTo(world.operator).includes('blocked'), { message: 'the blocked message' });
    expect(lastDmTo(world.operator)).toContain('Release it');
    await eventually(() => homeOf(world.operator).includes('blocked'), { message: 'blocked on the App Home' });
    expect((await h.app.services.store.numbers.find('vapi', id))?.status).toBe('blocked');
  });

  it('is reported after a restart: the following is in the queue, not in memory', async () => {
    const { id } = await freeVapiNumber('After restart');
    await h.restart();
    h.vapi.settle(id, 'active');
    await eventually(
      () => dmsTo(world.operator).some((message) => message.text.includes('is active') && message.text.includes(String(h.vapi.numbers.get(id)?.number))),
      {
        message: 'the activation message after the restart',
        timeoutMs: 10_000,
      },
    );
    expect((await h.app.services.store.numbers.find('vapi', id))?.status).toBe('active');
  });

  it('stops asking after NUMBER_ACTIVATION_TIMEOUT_MINUTES and says so', async () => {
    const { id } = await freeVapiNumber('Slow line');
    await eventually(() => lastDmTo(world.operator).includes('still activating'), { message: 'the give-up message', timeoutMs: 10_000 });
    const checks = h.vapi.requestsTo('GET', `/phone-number/${id}`).length;
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(h.vapi.requestsTo('GET', `/phone-number/${id}`)).toHaveLength(checks);
  });
});

describe('release', () => {
  it('an admin releases the workspace’s number: the confirmation names it and its endpoints; Vapi deletes it, the endpoints go, the record goes', async () => {
    const { id } = await freeVapiNumber('To release');
    h.vapi.settle(id, 'active');
    const number = String(h.vapi.numbers.get(id)?.number);
    const endpoints = [await registerEndpoint(world.acmeAdmin, number, 'sub-rel-1'), await registerEndpoint(world.acmeAdmin, number, 'sub-rel-2')];

    const confirm = await clickRelease(world.acmeAdmin, id);
    const shown = JSON.stringify(confirm);
    expect(confirm.callback_id).toBe('numbers.release.confirm');
    expect(shown).toContain(number);
    for (const identifier of endpoints) expect(shown).toContain(identifier);

    const answer = await h.slack.submitView(confirm, {}, world.acmeAdmin);
    expect(answer.json?.response_action).toBe('update');
    const result = JSON.stringify(await settled(confirm.id));
    expect(result).toContain('Released');
    expect(h.vapi.deleted.filter((deleted) => deleted === id)).toHaveLength(1);
    for (const identifier of endpoints) expect(h.novu.endpoints.has(identifier)).toBe(false);
    expect(await h.app.services.store.numbers.find('vapi', id)).toBeUndefined();
    const audit = await h.app.services.store.audit.list({ workspaceKey: teamKey(acme.id), actions: ['number.release'], limit: 1 });
    expect(audit[0]).toMatchObject({ outcome: 'ok', backend: 'vapi', backendId: id, userId: world.acmeAdmin.userId });
    expect(vendorBodiesValid()).toEqual([]);
  });

  it('SignalWire fails, then succeeds: one release takes effect, and the person hears "released"', async () => {
    const id = await importedNumber('+14155550301');
    h.signalwire.inject({ match: 'DELETE /api/relay/rest/phone_numbers/*', reply: { status: 500, body: { error: 'Internal Server Error' } } });
    const confirm = await clickRelease(world.acmeAdmin, id);
    await h.slack.submitView(confirm, {}, world.acmeAdmin);
    expect(JSON.stringify(await settled(confirm.id))).toContain('Released');
    expect(h.signalwire.requestsTo('DELETE', `/api/relay/rest/phone_numbers/${id}`)).toHaveLength(2);
    expect(h.signalwire.deleted.filter((deleted) => deleted === id)).toHaveLength(1);
    expect(h.signalwire.numbers.has(id)).toBe(false);
  });

  it('the release is done but its answer lost: the retry finds the number gone and reports it released, not failed', async () => {
    const id = await importedNumber('+14155550302');
    h.signalwire.inject({ match: 'DELETE /api/relay/rest/phone_numbers/*', dropAfter: true });
    const confirm = await clickRelease(world.acmeAdmin, id);
    await h.slack.submitView(confirm, {}, world.acmeAdmin);
    expect(JSON.stringify(await settled(confirm.id))).toContain('is released');
    expect(h.signalwire.deleted.filter((deleted) => deleted === id)).toHaveLength(1);
    expect(await h.app.services.store.numbers.find('signalwire', id)).toBeUndefined();
  });

  it('confirmed twice at once (the same modal twice, and a second modal): one DELETE reaches the vendor, one result says released', async () => {
    const id = await importedNumber('+14155550303');
    const first = await clickRelease(world.acmeAdmin, id);
    const second = await clickRelease(world.acmeAdmin, id);
    h.signalwire.latencyMs = 150;
    await Promise.all([
      h.slack.submitView(first, {}, world.acmeAdmin),
      h.slack.submitView(first, {}, world.acmeAdmin),
      h.slack.submitView(second, {}, world.acmeAdmin),
    ]);
    const results = [JSON.stringify(await settled(first.id)), JSON.stringify(await settled(second.id))];
    h.signalwire.latencyMs = 0;
    expect(h.signalwire.requestsTo('DELETE', `/api/relay/rest/phone_numbers/${id}`)).toHaveLength(1);
    expect(results.filter((result) => result.includes('Released'))).toHaveLength(1);
    expect(results.find((result) => !result.includes('Released'))).toMatch(/released already|Another confirmation is releasing/);
    // The number can be released again later only if it comes back: the record is gone.
    expect(await h.app.services.store.numbers.find('signalwire', id)).toBeUndefined();
  });

  it('Novu refuses to remove an endpoint after the vendor released the number: released, and the endpoint left is named', async () => {
    const id = await importedNumber('+14155550308');
    const endpoint = await registerEndpoint(world.acmeAdmin, '+14155550308', 'sub-left');
    h.novu.inject({
      match: (request) => request.method === 'DELETE' && request.path.startsWith('/v1/channel-endpoints/'),
      reply: { status: 403, body: { statusCode: 403, message: 'Forbidden resource', error: 'Forbidden' } },
    });
    const confirm = await clickRelease(world.acmeAdmin, id);
    await h.slack.submitView(confirm, {}, world.acmeAdmin);
    const result = JSON.stringify(await settled(confirm.id));
    expect(result).toContain('Released');
    expect(result).toContain(endpoint);
    expect(result).toContain('/phone remove');
    expect(h.signalwire.numbers.has(id)).toBe(false);
    expect(await h.app.services.store.numbers.find('signalwire', id)).toBeUndefined();
    expect(h.novu.endpoints.has(endpoint)).toBe(true);
    const audit = await h.app.services.store.audit.list({ workspaceKey: teamKey(acme.id), actions: ['number.release'], limit: 1 });
    expect(audit[0]).toMatchObject({ outcome: 'ok', detail: expect.objectContaining({ endpointsLeft: 1 }) });
  });

  it('Novu fails for a moment after the vendor released the number: the endpoints are removed on a retry, the number is not deleted twice', async () => {
    const id = await importedNumber('+14155550309');
    const endpoint = await registerEndpoint(world.acmeAdmin, '+14155550309', 'sub-retried');
    h.novu.inject({
      match: (request) => request.method === 'DELETE' && request.path.startsWith('/v1/channel-endpoints/'),
      times: 6,
      reply: { status: 503, body: { statusCode: 503, message: 'Service Unavailable' } },
    });
    const confirm = await clickRelease(world.acmeAdmin, id);
    await h.slack.submitView(confirm, {}, world.acmeAdmin);
    await eventually(() => !h.novu.endpoints.has(endpoint), { timeoutMs: 20_000, message: 'the endpoint removed on a retry' });
    await eventually(
      () =>
        dmsTo(world.acmeAdmin).some((message) => message.text.includes('Released') && message.text.includes(endpoint)) ||
        JSON.stringify(h.emulator.views.get(confirm.id)).includes(endpoint),
      {
        message: 'the release result',
        timeoutMs: 20_000,
      },
    );
    expect(h.signalwire.requestsTo('DELETE', `/api/relay/rest/phone_numbers/${id}`)).toHaveLength(1);
  });

  it('the vendor says the number is in use: refused in its words, nothing removed', async () => {
    const { id } = await freeVapiNumber('Busy line');
    h.vapi.settle(id, 'active');
    const number = String(h.vapi.numbers.get(id)?.number);
    const endpoint = await registerEndpoint(world.acmeAdmin, number, 'sub-busy');
    h.vapi.inUse.add(id);
    const confirm = await clickRelease(world.acmeAdmin, id);
    await h.slack.submitView(confirm, {}, world.acmeAdmin);
    const result = JSON.stringify(await settled(confirm.id));
    expect(result).toContain('in use');
    expect(result).toContain('Nothing was removed');
    expect(h.vapi.numbers.has(id)).toBe(true);
    expect(h.novu.endpoints.has(endpoint)).toBe(true);
    expect(await h.app.services.store.numbers.find('vapi', id)).toBeDefined();
    const audit = await h.app.services.store.audit.list({ workspaceKey: teamKey(acme.id), actions: ['number.release'], limit: 1 });
    expect(audit[0]).toMatchObject({ outcome: 'failed', backendId: id });
    h.vapi.inUse.delete(id);
  });

  it('from the App Home: Release beside the number opens the same confirmation', async () => {
    const id = await importedNumber('+14155550304');
    await h.slack.event({ type: 'app_home_opened', user: world.acmeAdmin.userId, tab: 'home', channel: 'D0ADMIN' }, { teamId: acme.id });
    const home = await eventually(() => (homeOf(world.acmeAdmin).includes(id) ? h.emulator.homeViews.get(world.acmeAdmin.userId) : undefined), {
      message: 'the number on the App Home',
    });
    const before = new Set(h.emulator.views.keys());
    await h.slack.clickButton({ view: home }, `numbers.release:${id}`, world.acmeAdmin);
    const confirm = await eventually(() =>
      [...h.emulator.views.values()].find((view) => !before.has(view.id) && view.callback_id === 'numbers.release.confirm'),
    );
    await h.slack.submitView(confirm, {}, world.acmeAdmin);
    expect(JSON.stringify(await settled(confirm.id))).toContain('Released');
    expect(h.signalwire.numbers.has(id)).toBe(false);
  });
});

describe('release across tenants', () => {
  it('another workspace’s admin cannot release Acme’s number by replaying its button or its confirmation; a member cannot at all; an operator can', async () => {
    const id = await importedNumber('+14155550305');
    const acmeList = await numbersList(world.acmeAdmin);
    const acmeConfirm = await clickRelease(world.acmeAdmin, id, acmeList);

    const replayedButton = await clickRelease(world.globexAdmin, id, acmeList);
    expect(JSON.stringify(replayedButton)).toContain('There is no such number in this workspace');
    const replayedConfirm = await h.slack.submitView(acmeConfirm, {}, world.globexAdmin);
    expect(JSON.stringify(replayedConfirm.json)).toContain('There is no such number in this workspace');
    expect((await numbersList(world.globexAdmin)).message.blocks.some((block: any) => JSON.stringify(block).includes(id))).toBe(false);

    const byMember = await clickRelease(world.acmeMember, id, acmeList);
    expect(JSON.stringify(byMember)).toContain('Only workspace admins');
    const memberConfirm = await h.slack.submitView(acmeConfirm, {}, world.acmeMember);
    expect(JSON.stringify(memberConfirm.json)).toContain('Only workspace admins');
    expect(h.signalwire.requestsTo('DELETE', `/api/relay/rest/phone_numbers/${id}`)).toHaveLength(0);

    const operatorConfirm = await clickRelease(world.operator, id);
    await h.slack.submitView(operatorConfirm, {}, world.operator);
    expect(JSON.stringify(await settled(operatorConfirm.id))).toContain('Released');
    expect(h.signalwire.deleted).toContain(id);
  });

  it('an operator releases a number of another workspace: the audit names the owner', async () => {
    const id = 'sw-globex-1';
    h.signalwire.numbers.set(id, {
      id,
      number: '+14155550307',
      name: null,
      number_type: 'longcode',
      capabilities: ['voice'],
      created_at: new Date().toISOString(),
    });
    await h.app.services.store.numbers.add({
      backend: 'signalwire',
      vendorId: id,
      workspaceKey: teamKey(globex.id),
      number: '+14155550307',
      sipUri: null,
      name: null,
      status: 'active',
      createdBy: world.operator.userId,
    });
    const confirm = await clickRelease(world.operator, id);
    expect(JSON.stringify(confirm)).toContain('+14155550307');
    await h.slack.submitView(confirm, {}, world.operator);
    expect(JSON.stringify(await settled(confirm.id))).toContain('Released');
    const audit = await h.app.services.store.audit.list({ actions: ['number.release'], limit: 1 });
    expect(audit[0]).toMatchObject({ outcome: 'ok', backendId: id, detail: expect.objectContaining({ owner: teamKey(globex.id) }) });
  });
});

describe('the App Home’s number buttons', () => {
  const openHome = async (actor: Actor) => {
    await h.slack.event({ type: 'app_home_opened', user: actor.userId, tab: 'home', channel: `D${actor.userId.slice(1)}` }, { teamId: acme.id });
    return eventually(() => h.emulator.homeViews.get(actor.userId), { message: 'the App Home' });
  };
  const clickOnHome = async (actor: Actor, home: EmulatedView, actionId: string) => {
    const before = new Set(h.emulator.views.keys());
    await h.slack.clickButton({ view: home }, actionId, actor);
    return eventually(() => [...h.emulator.views.values()].find((view) => !before.has(view.id)), { message: 'the modal' });
  };

  it('an admin who may only ask gets New Vapi number and Import as request forms; a member gets neither, even by replaying the click', async () => {
    const adminHome = await openHome(world.acmeAdmin);
    expect(JSON.stringify(adminHome)).toContain('New Vapi number');
    const vapiForm = await clickOnHome(world.acmeAdmin, adminHome, 'numbers.sip.open');
    expect(vapiForm.callback_id).toBe('numbers.sip');
    expect(JSON.stringify(vapiForm.title)).toContain('Request');
    const importForm = await clickOnHome(world.acmeAdmin, adminHome, 'numbers.import.open');
    expect(importForm.callback_id).toBe('numbers.import');
    expect(JSON.stringify(importForm.title)).toContain('Request');

    const operatorForm = await clickOnHome(world.operator, adminHome, 'numbers.sip.open');
    expect(JSON.stringify(operatorForm.title)).not.toContain('Request');

    const memberHome = await openHome(world.acmeMember);
    expect(JSON.stringify(memberHome)).not.toContain('New Vapi number');
    const replayed = await clickOnHome(world.acmeMember, adminHome, 'numbers.sip.open');
    expect(replayed.callback_id).not.toBe('numbers.sip');
    expect(JSON.stringify(replayed)).toContain('Only workspace admins');
  });
});
