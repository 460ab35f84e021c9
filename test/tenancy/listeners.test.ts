import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPolicy } from '../../src/permissions/policy.js';
import type { Guard } from '../../src/slack/guards.js';
import type { Route } from '../../src/slack/listener-table.js';
import { teamKey } from '../../src/store/workspace-key.js';
import { numberRecordId, type RecordKind } from '../../src/tenancy/ownership.js';
import type { Harness } from '../kit/harness.js';
import type { Actor } from '../kit/slack-sender.js';
import { openVapiForm } from '../kit/vapi-form.js';
import { acme, globex, startWorld, type World } from './world.js';

/**
 * Every listener Switchboard registers, enumerated from its route table, is sent payloads that
 * name Acme's records — a route, a number, a job, a number request, a link request, a link run
 * and an import — by Globex's admin: nothing of Acme's changes, no vendor is written to, and each
 * route that names a record refuses it as one that does not exist. Then a member tries every
 * listener the default policy keeps for admins or operators, and is refused.
 */
let world: World;
let h: Harness;
const acmeKey = teamKey(acme.id);
const ids = {} as Record<RecordKind, string>;

beforeAll(async () => {
  world = await startWorld({ vapi: true, signalwire: true });
  h = world.harness;
  await world.installAcme();
  await world.installGlobex();
  const { store } = h.app.services;
  const endpoint = await store.endpoints.add({
    identifier: 'acme-route-1',
    workspaceKey: acmeKey,
    type: 'slack_channel',
    subscriberId: 'sub-acme',
    integrationIdentifier: 'slack-prod',
    connectionIdentifier: null,
    target: 'C0OPSALERT',
    createdBy: world.acmeAdmin.userId,
    contextKeys: [`tenant:${acme.id}`],
  });
  const number = await store.numbers.add({
    backend: 'signalwire',
    vendorId: 'sw-acme-1',
    workspaceKey: acmeKey,
    number: '+14155550999',
    sipUri: null,
    name: null,
    status: 'active',
    createdBy: world.acmeAdmin.userId,
  });
  const { job } = await store.jobs.enqueue({
    kind: 'test.nothing',
    dedupeKey: 'acme-dead',
    payload: {},
    maxAttempts: 1,
    workspaceKey: acmeKey,
    runAt: Date.now() + 3_600_000,
  });
  const { request } = await store.numberRequests.create({
    id: 'acme-request-1',
    submission: 'acme-form',
    workspaceKey: acmeKey,
    requestedBy: world.acmeMember.userId,
    backend: 'signalwire',
    payload: { backend: 'signalwire', body: { number: '+14155550998' } },
    expiresAt: Date.now() + 3_600_000,
  });
  const linkRequest = await store.linkRequests.ask({ workspaceKey: acmeKey, userId: world.acmeMember.userId, subscriberId: 'sub-acme' });
  const { run: linkRun } = await store.linkRuns.create({ workspaceKey: acmeKey, requestedBy: world.acmeAdmin.userId });
  const { run } = await store.phoneImports.create({
    workspaceKey: acmeKey,
    requestedBy: world.acmeAdmin.userId,
    intent: 'acme-import',
    fileId: 'F0ACME',
    fileName: 'acme.csv',
  });
  Object.assign(ids, {
    endpoint: endpoint.identifier,
    number: numberRecordId(number.backend, number.vendorId),
    job: job.id,
    numberRequest: request.id,
    linkRequest: linkRequest.id,
    linkRun: linkRun.id,
    phoneImport: run.id,
  });
}, 60_000);
afterAll(() => h.stop());

function routes(): readonly Route<unknown>[] {
  return h.app.slack.listeners.routes();
}

/** An action id the route answers: its own, or its pattern's stem (`numbers.release` for `^numbers\.release(:.+)?$`). */
function sampleId(route: Route<unknown>): string {
  const { constraint } = route;
  if (typeof constraint === 'string') return constraint;
  const id = constraint.source
    .replace(/^\^|\$$/g, '')
    .replace(/\([^)]*\)\?/g, '')
    .replace(/\\(.)/g, '$1');
  expect(constraint.test(id), `a sample id for ${constraint}`).toBe(true);
  return id;
}

/** The ways Switchboard writes a record into a value or metadata; the route's own reader picks the one it takes. */
function encoded(guard: Guard, id: string): string {
  const [backend, vendorId] = id.split(':');
  const candidates = [
    id,
    JSON.stringify({ fix: 'move', identifier: id }),
    JSON.stringify({ backend, vendorId, label: 'a number' }),
    // A number's change form and its confirmation carry its settings before (and after) the change.
    JSON.stringify({
      backend,
      vendorId,
      label: 'a number',
      before: { backend },
      after: { backend, messageHandler: 'laml_webhooks', messageTo: 'https://example.com/sms' },
    }),
  ];
  const read = guard.owns?.read ?? ((text: string) => text);
  const text = candidates.find((candidate) => read(candidate) === id);
  if (!text) throw new Error(`No known way to name a ${guard.owns?.record} for this route`);
  return text;
}

function identity(actor: Actor) {
  return {
    team: { id: actor.teamId, domain: 'x' },
    user: { id: actor.userId, username: actor.userId.toLowerCase(), name: actor.userId.toLowerCase(), team_id: actor.teamId },
    api_app_id: h.emulator.appId,
    token: 'deprecated-verification-token',
    is_enterprise_install: false,
    enterprise: null,
  };
}

/** Sends what Slack would for this route, naming the record `text` (in the value, or the form's metadata). */
async function send(route: Route<unknown>, actor: Actor, text: string) {
  const id = sampleId(route);
  const field = route.guard.field ?? 'field';
  const view = {
    id: `V${Math.random().toString(36).slice(2, 10).toUpperCase()}`,
    type: 'modal',
    callback_id: id,
    hash: '1.a',
    private_metadata: route.guard.owns?.in === 'metadata' ? text : '{}',
    blocks: [{ type: 'input', block_id: field, element: { type: 'plain_text_input', action_id: field }, label: { type: 'plain_text', text: 'x' } }],
    state: { values: {} },
  };
  if (route.kind === 'view')
    return h.slack.interaction({ type: 'view_submission', ...identity(actor), trigger_id: h.emulator.newTrigger(), view, response_urls: [] });
  if (route.kind === 'options')
    return h.slack.interaction({
      type: 'block_suggestion',
      ...identity(actor),
      action_id: id,
      block_id: 'b',
      value: text,
      view,
      container: { type: 'view', view_id: view.id },
    });
  const element = { type: 'button', action_id: id, value: text, text: { type: 'plain_text', text: 'Go' } };
  const message = { blocks: [{ type: 'actions', block_id: 'b', elements: [element] }] };
  return h.slack.clickButton({ message }, id, actor);
}

/** Everything of Acme's a listener could change, and every write to a vendor. */
async function acmeState(): Promise<string> {
  const { store } = h.app.services;
  const [backend, vendorId] = ids.number.split(':') as ['signalwire', string];
  return JSON.stringify([
    await store.endpoints.page({ workspaceKey: acmeKey, limit: 50 }),
    await store.numbers.find(backend, vendorId),
    (await store.jobs.get(ids.job))?.status,
    (await store.numberRequests.get(ids.numberRequest))?.status,
    (await store.linkRequests.get(ids.linkRequest))?.status,
    (await store.linkRuns.get(ids.linkRun))?.status,
    (await store.phoneImports.get(ids.phoneImport))?.status,
    ...[h.novu, h.vapi, h.signalwire].map((vendor) => vendor.requests.filter((request) => request.method !== 'GET' && namesAcme(request)).length),
  ]);
}

/** A vendor write about Acme: its tenant, or one of its records, named in the path or the body. */
function namesAcme(request: { path: string; body?: unknown }): boolean {
  const text = `${request.path} ${JSON.stringify(request.body ?? '')}`;
  return text.includes(acme.id) || Object.values(ids).some((id) => text.includes(id.split(':').at(-1) ?? id));
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 400));

describe('every listener, across tenants', () => {
  it('declares a guard, and every record kind is named by at least one listener', () => {
    expect(routes().length).toBeGreaterThan(30);
    for (const route of routes()) expect(route.guard.may, `${route.kind} ${String(route.constraint)}`).toBeTruthy();
    const named = new Set(routes().flatMap((route) => (route.guard.owns ? [route.guard.owns.record] : [])));
    expect([...named].sort()).toEqual(Object.keys(ids).sort());
  });

  it('refuses another workspace’s records to its admin as records that do not exist, with nothing of theirs changed', async () => {
    const before = await acmeState();
    const owning = routes().filter((route) => route.guard.owns);
    for (const route of owning) {
      const { owns } = route.guard;
      if (!owns) continue;
      const answer = await send(route, world.globexAdmin, encoded(route.guard, ids[owns.record]));
      expect(answer.status, `${route.kind} ${String(route.constraint)}`).toBe(200);
      if (route.kind === 'view') expect(JSON.stringify(answer.json)).toContain('There is no such');
    }
    await settle();
    expect(await acmeState()).toBe(before);
    const refused = await h.app.services.store.audit.list({ workspaceKey: teamKey(globex.id), limit: 200 });
    expect(refused.filter((entry) => entry.outcome === 'not-found' && entry.userId === world.globexAdmin.userId)).toHaveLength(owning.length);
  });

  it('lets no listener change another workspace’s records, whatever it is sent', async () => {
    const before = await acmeState();
    for (const route of routes().filter((candidate) => !candidate.guard.owns && candidate.kind !== 'options')) {
      await send(route, world.globexAdmin, ids.endpoint);
    }
    await settle();
    expect(await acmeState()).toBe(before);
  });

  it('lets another workspace’s admin redraw none of Acme’s open forms: the Vapi number form’s choices stay Acme’s', async () => {
    const choices = ['numbers.sip.kind', 'numbers.sip.login', 'numbers.sip.answered_by', 'numbers.sip.more', 'numbers.sip.generate'];
    const declared = routes().filter((route) => choices.includes(String(route.constraint)));
    expect(declared.map((route) => route.guard.may)).toEqual(choices.map(() => 'numbers.request'));
    const form = await openVapiForm(h, world.acmeAdmin, { kind: 'sip', login: true });
    for (const id of choices) {
      const answer = await h.slack.clickButton({ view: form }, id, world.globexAdmin, id === 'numbers.sip.kind' ? { [id]: 'free' } : {});
      expect(answer.status, id).toBe(200);
    }
    await settle();
    expect(h.emulator.views.get(form.id)?.hash).toBe(form.hash);
  });

  it('refuses a member every listener the default policy keeps for admins or operators', async () => {
    const policy = buildPolicy({});
    const guarded = routes().filter((route) => typeof route.guard.may === 'string' && route.guard.may !== 'anyone' && policy[route.guard.may] !== 'everyone');
    expect(guarded.length).toBeGreaterThan(20);
    const before = await acmeState();
    for (const route of guarded) {
      const text = route.guard.owns ? encoded(route.guard, ids[route.guard.owns.record]) : 'x';
      const answer = await send(route, world.acmeMember, text);
      if (route.kind === 'options') expect(answer.json, String(route.constraint)).toEqual({ options: [] });
      if (route.kind === 'view') expect(JSON.stringify(answer.json), String(route.constraint)).toMatch(/Only (workspace admins|Switchboard operators)/);
    }
    await settle();
    expect(await acmeState()).toBe(before);
    const refusals = (await h.app.services.store.audit.list({ workspaceKey: acmeKey, limit: 200 })).filter(
      (entry) => entry.outcome === 'refused' && entry.userId === world.acmeMember.userId,
    );
    expect(refusals).toHaveLength(guarded.filter((route) => route.kind !== 'options').length);
  });
});
