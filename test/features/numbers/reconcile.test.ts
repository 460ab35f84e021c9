import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { teamKey } from '../../../src/store/workspace-key.js';
import { eventually, type Harness, startHarness, team } from '../../kit/harness.js';
import { openVapiForm } from '../../kit/vapi-form.js';

/**
 * Vapi and SignalWire do not de-duplicate creates and take no idempotency key. A create whose
 * answer is late or lost is found by the request's own marker before anything is resent; a number
 * without the marker is never taken for this request's, and the audit log says what happened.
 */
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ vapi: true, signalwire: true });
  await h.install();
});
afterAll(() => h.stop());
beforeEach(() => {
  for (const backend of [h.vapi, h.signalwire]) {
    backend.clearFaults();
    backend.requests.length = 0;
    backend.numbers.clear();
  }
});

const posts = () => h.vapi.requestsTo('POST', '/phone-number');
const named = (name: string) => [...h.vapi.numbers.values()].filter((number) => String(number.name).startsWith(`${name} #sb-`));

async function provision(name: string): Promise<string> {
  const view = await openVapiForm(h, h.actors.operator, { answeredBy: 'workflow' });
  await h.slack.submitView(view, { name, area_code: '415', workflow: 'wf' }, h.actors.operator);
  return view.id;
}

async function audited(name: string) {
  return eventually(
    async () => {
      const entries = await h.app.services.store.audit.list({ workspaceKey: teamKey(team.id), actions: ['number.create'], limit: 20 });
      return entries.find((entry) => entry.backendId && named(name).some((number) => number.id === entry.backendId));
    },
    { timeoutMs: 30_000, message: `the audit entry for ${name}` },
  );
}

describe('Vapi creates', () => {
  it('a free number whose create answers after the timeout is found by its marker: one number, bought once', async () => {
    // BACKEND_TIMEOUT_SECONDS is 2 in the harness: Vapi makes the number, the answer is lost.
    h.vapi.inject({ match: 'POST /phone-number', delayMs: 2_800 });
    await provision('Slow line');
    const entry = await audited('Slow line');
    expect(named('Slow line')).toHaveLength(1);
    expect(posts()).toHaveLength(1);
    expect(entry).toMatchObject({ outcome: 'ok', detail: expect.objectContaining({ created: 'found' }) });
    expect(h.vapi.requestsTo('GET', '/v2/phone-number').length).toBeGreaterThan(0);
    expect((await h.app.services.store.numbers.find('vapi', entry.backendId ?? ''))?.workspaceKey).toBe(teamKey(team.id));
  });

  it('a create lost before Vapi made anything is not confused with another number of that name; it is made once', async () => {
    const stranger = { id: randomUUID(), provider: 'vapi', name: 'Lost line', number: '+14155550999', status: 'active', createdAt: new Date().toISOString() };
    h.vapi.numbers.set(stranger.id, stranger);
    h.vapi.inject({ match: 'POST /phone-number', drop: true });
    const viewId = await provision('Lost line');
    const entry = await audited('Lost line');
    expect(entry.backendId).not.toBe(stranger.id);
    expect(entry).toMatchObject({ outcome: 'ok', detail: expect.objectContaining({ created: 'answered' }) });
    expect(posts()).toHaveLength(2);
    expect(named('Lost line')).toHaveLength(1);
    expect(await h.app.services.store.numbers.find('vapi', stranger.id)).toBeUndefined();
    const shown = await eventually(
      () => {
        const dm = h.emulator.callsTo('chat.postMessage').find((call) => String(call.args.text).includes(entry.backendId ?? '-'));
        const view = JSON.stringify(h.emulator.views.get(viewId));
        return dm ? String(dm.args.text) : view.includes(entry.backendId ?? '-') ? view : undefined;
      },
      { timeoutMs: 20_000, message: 'the person told which number was made' },
    );
    expect(shown).not.toContain(stranger.id);
  });
});

describe('SignalWire imports', () => {
  it('an import whose answer is lost is found by its number (made after the request began): imported once', async () => {
    h.signalwire.inject({ match: 'POST /api/relay/rest/imported_phone_numbers', dropAfter: true });
    const view = await h.openModal('/phone', 'import +14155550142', 'numbers.import', h.actors.operator);
    await h.slack.submitView(view, {}, h.actors.operator);
    const entry = await eventually(
      async () =>
        (await h.app.services.store.audit.list({ workspaceKey: teamKey(team.id), actions: ['number.import'], limit: 5 })).find((item) => item.outcome === 'ok'),
      { timeoutMs: 20_000, message: 'the import audited' },
    );
    expect(entry.detail).toMatchObject({ created: 'found' });
    expect(h.signalwire.requestsTo('POST', '/api/relay/rest/imported_phone_numbers')).toHaveLength(1);
    expect([...h.signalwire.numbers.values()].filter((number) => number.number === '+14155550142')).toHaveLength(1);
  });
});
