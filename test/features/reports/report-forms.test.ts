import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, type Harness } from '../../kit/harness.js';
import { openVapiForm } from '../../kit/vapi-form.js';
import type { World } from '../../tenancy/world.js';
import { endOfCall, postsIn, reportsWorld } from './kit.js';

/** The report channel chosen in /phone sip and /phone import: the new number is pointed at Switchboard once it is made. */
let world: World;
let h: Harness;
beforeAll(async () => {
  world = await reportsWorld();
  h = world.harness;
});
afterAll(() => h.stop());

describe('chosen when the number is made', () => {
  it('/phone sip with a report channel: the new number carries a server that authenticates, and its assistant answers', async () => {
    const view = await openVapiForm(h, world.operator, { kind: 'sip', answeredBy: 'workflow', more: true });
    expect(JSON.stringify(view.blocks)).toContain('Report calls and texts to');
    const answer = await h.slack.submitView(
      view,
      { name: 'Reported line', sip_user: 'reported-line', workflow: 'wf-9', report_channel: 'C0ACMECALL' },
      world.operator,
    );
    expect(answer.json?.response_action).toBe('update');
    const done = await eventually(() => (JSON.stringify(h.emulator.views.get(view.id)).includes('are posted in') ? h.emulator.views.get(view.id) : undefined), {
      message: 'the result with its report channel',
      timeoutMs: 10_000,
    });
    expect(JSON.stringify(done)).toContain('<#C0ACMECALL>');
    const number = [...h.vapi.numbers.values()].find((entry) => entry.sipUri === 'sip:reported-line@sip.vapi.ai');
    expect(number?.workflowId).toBe('wf-9');
    expect(number?.server?.url).toBe(`${h.url}/webhooks/vapi?number=${number?.id}`);
    const before = postsIn(h, 'C0ACMECALL').length;
    expect((await h.vapi.sendServerMessage(String(number?.id), endOfCall('call-new'))).status).toBe(200);
    await eventually(() => postsIn(h, 'C0ACMECALL').length === before + 1, { message: 'the new number’s call posted' });
  });

  it('/phone sip refuses another workspace’s channel under the picker, and nothing is made', async () => {
    const view = await openVapiForm(h, world.operator, { kind: 'sip', answeredBy: 'workflow', more: true });
    const posts = h.vapi.requestsTo('POST', '/phone-number').length;
    const answer = await h.slack.submitView(view, { name: 'Elsewhere', sip_user: 'elsewhere', workflow: 'wf-9', report_channel: 'C0GLOBCALL' }, world.operator);
    expect(answer.json?.response_action).toBe('errors');
    expect(JSON.stringify(answer.json?.errors)).toContain('report_channel');
    expect(h.vapi.requestsTo('POST', '/phone-number')).toHaveLength(posts);
  });

  it('/phone import with a report channel: SignalWire sends the number’s texts to Switchboard', async () => {
    const view = await h.openModal('/phone', 'import +14155550888', 'numbers.import', world.operator);
    await h.slack.submitView(view, { report_channel: 'C0ACMECALL' }, world.operator);
    await eventually(() => (JSON.stringify(h.emulator.views.get(view.id)).includes('are posted in') ? true : undefined), {
      message: 'the import with its report channel',
      timeoutMs: 10_000,
    });
    const number = [...h.signalwire.numbers.values()].find((entry) => entry.number === '+14155550888');
    expect(number?.message_handler).toBe('laml_webhooks');
    const before = postsIn(h, 'C0ACMECALL').length;
    expect((await h.signalwire.sendText(String(number?.id), { From: '+14155550101', Body: 'hi' })).status).toBe(200);
    await eventually(() => postsIn(h, 'C0ACMECALL').length === before + 1, { message: 'the imported number’s text posted' });
  });
});
