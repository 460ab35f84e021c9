import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { teamKey } from '../../../src/store/workspace-key.js';
import { eventually, type Harness } from '../../kit/harness.js';
import { acme, globex, type World } from '../../tenancy/world.js';
import { acmeBot, endOfCall, globexBot, openReport, postsIn, reportsWorld, setReport, signalWireNumber, vapiNumber } from './kit.js';

/**
 * Calls and texts reported into the owning workspace's channel, end to end: the Report button,
 * Vapi's credential and server, SignalWire's message webhook, and the vendors' signed requests to
 * Switchboard's own URL.
 */
let world: World;
let h: Harness;
beforeAll(async () => {
  world = await reportsWorld();
  h = world.harness;
});
afterAll(() => h.stop());

describe('Vapi calls', () => {
  let id: string;
  beforeAll(async () => {
    id = await vapiNumber(h, acme.id, 'Front desk');
    await setReport(h, world.acmeAdmin, id, 'C0ACMECALL');
  });

  it('the number carries a server that authenticates, made through Vapi’s credential API, and the assistant still answers', async () => {
    const [credentialPost] = h.vapi.requestsTo('POST', '/credential');
    expect(credentialPost?.problems).toEqual([]);
    expect(credentialPost?.body).toMatchObject({ provider: 'webhook', authenticationPlan: { type: 'bearer' } });
    const patches = h.vapi.requestsTo('PATCH', `/phone-number/${id}`);
    expect(patches).toHaveLength(1);
    expect(patches[0]?.problems).toEqual([]);
    const number = h.vapi.numbers.get(id);
    expect(number?.server).toEqual({ url: `${h.url}/webhooks/vapi?number=${id}`, credentialId: expect.any(String) });
    expect(number?.assistantId).toBe(h.vapi.assistants[0]?.id);
    const audit = await h.app.services.store.audit.list({ workspaceKey: teamKey(acme.id), actions: ['number.report'], limit: 1 });
    expect(audit[0]).toMatchObject({ outcome: 'ok', backendId: id, userId: world.acmeAdmin.userId });
    // The token is kept sealed: the database never holds it in the clear.
    const stored = await h.app.services.store.numberReports.find('vapi', id);
    const token = String(h.vapi.credentials.get(String(number?.server?.credentialId))?.authenticationPlan?.token);
    expect(stored?.sealedSecret).not.toContain(token);
  });

  it('a signed end-of-call report is posted once, escaped, with the owning workspace’s bot; a retry posts nothing more', async () => {
    const before = postsIn(h, 'C0ACMECALL').length;
    expect((await h.vapi.sendServerMessage(id, endOfCall('call-1'))).status).toBe(200);
    const post = await eventually(() => postsIn(h, 'C0ACMECALL')[before], { message: 'the call posted' });
    expect(post.botUserId).toBe(acmeBot);
    const shown = JSON.stringify(post.blocks);
    expect(shown).toContain('Front desk');
    expect(shown).toContain('the caller hung up');
    expect(shown).toContain('1 min 35 s');
    expect(shown).toContain('storage.vapi.ai/recording.wav');
    expect(shown).not.toContain('<!channel>');
    expect((await h.vapi.sendServerMessage(id, endOfCall('call-1'))).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(postsIn(h, 'C0ACMECALL')).toHaveLength(before + 1);
  });

  it('other message types are accepted and post nothing', async () => {
    const before = postsIn(h, 'C0ACMECALL').length;
    expect((await h.vapi.sendServerMessage(id, { type: 'status-update', status: 'ringing', call: { id: 'call-2' } })).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(postsIn(h, 'C0ACMECALL')).toHaveLength(before);
  });

  it('unsigned, wrongly signed and oversized requests are refused, and nothing is posted', async () => {
    const before = postsIn(h, 'C0ACMECALL').length;
    expect((await h.vapi.sendServerMessage(id, endOfCall('call-3'), { sign: false })).status).toBe(401);
    expect((await h.vapi.sendServerMessage(id, endOfCall('call-3'), { sign: 'not-the-token' })).status).toBe(401);
    const huge = endOfCall('call-3', { transcript: 'x'.repeat(1_100_000) });
    expect((await h.vapi.sendServerMessage(id, huge)).status).toBe(413);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(postsIn(h, 'C0ACMECALL')).toHaveLength(before);
    expect(await h.app.services.store.jobs.list({ statuses: ['pending', 'running', 'done', 'dead'], limit: 100 })).not.toContainEqual(
      expect.objectContaining({ dedupeKey: expect.stringContaining('call-3') }),
    );
  });
});

describe('SignalWire texts', () => {
  let id: string;
  beforeAll(async () => {
    id = await signalWireNumber(h, acme.id, '+14155550777');
    await setReport(h, world.acmeAdmin, id, 'C0ACMECALL');
  });

  it('the message handler becomes LaML webhooks under PUBLIC_URL, valid per SignalWire’s spec', () => {
    const puts = h.signalwire.requestsTo('PUT', `/api/relay/rest/phone_numbers/${id}`);
    expect(puts).toHaveLength(1);
    expect(puts[0]?.problems).toEqual([]);
    expect(puts[0]?.body).toEqual({
      message_handler: 'laml_webhooks',
      message_request_url: `${h.url}/webhooks/signalwire?number=${id}`,
      message_request_method: 'POST',
    });
  });

  it('a signed text is answered with an empty LaML response and posted once; a redelivery posts nothing more', async () => {
    const before = postsIn(h, 'C0ACMECALL').length;
    const text = { From: '+14155550999', Body: 'Are you open *today*? <@U0ADMIN>', MessageSid: 'SM-1', NumMedia: '2' };
    const answer = await h.signalwire.sendText(id, text);
    expect(answer.status).toBe(200);
    expect(await answer.text()).toBe('<?xml version="1.0" encoding="UTF-8"?><Response></Response>');
    const post = await eventually(() => postsIn(h, 'C0ACMECALL')[before], { message: 'the text posted' });
    const shown = JSON.stringify(post.blocks);
    expect(shown).toContain('+14155550999');
    expect(shown).toContain('2 attachments');
    expect(shown).not.toContain('<@U0ADMIN>');
    expect((await h.signalwire.sendText(id, text)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(postsIn(h, 'C0ACMECALL')).toHaveLength(before + 1);
  });

  it('a missing, altered or wrongly keyed signature is refused with 403, and nothing is posted', async () => {
    const before = postsIn(h, 'C0ACMECALL').length;
    const text = { From: '+14155550999', Body: 'hello', MessageSid: 'SM-2' };
    expect((await h.signalwire.sendText(id, text, { signature: false })).status).toBe(403);
    expect((await h.signalwire.sendText(id, text, { signature: 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=' })).status).toBe(403);
    expect((await h.signalwire.sendText(id, text, { key: 'another-space-key' })).status).toBe(403);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(postsIn(h, 'C0ACMECALL')).toHaveLength(before);
  });
});

describe('the owning workspace only', () => {
  it('a number owned by Globex reports with Globex’s bot in Globex’s channel, and can never be pointed at Acme’s', async () => {
    const id = await vapiNumber(h, globex.id, 'Globex line');
    const view = await openReport(h, world.globexAdmin, id);
    const writes = h.vapi.requests.filter((request) => request.method !== 'GET').length;
    const refused = await h.slack.submitView(view, { report_channel: 'C0ACMECALL' }, world.globexAdmin);
    expect(refused.json?.response_action).toBe('errors');
    expect(h.vapi.requests.filter((request) => request.method !== 'GET')).toHaveLength(writes);
    expect(await h.app.services.store.numberReports.find('vapi', id)).toBeUndefined();

    await setReport(h, world.globexAdmin, id, 'C0GLOBCALL');
    expect((await h.vapi.sendServerMessage(id, endOfCall('call-globex'))).status).toBe(200);
    const post = await eventually(() => postsIn(h, 'C0GLOBCALL')[0], { message: 'the Globex call posted' });
    expect(post.botUserId).toBe(globexBot);
    expect(postsIn(h, 'C0ACMECALL').some((message) => JSON.stringify(message.blocks).includes('call-globex'))).toBe(false);
    // Acme's number's token opens nothing of Globex's: each number is checked against its own.
    const acmeNumber = [...h.vapi.numbers.values()].find((number) => number.name?.startsWith('Front desk'));
    expect(acmeNumber?.server?.credentialId).toBeTruthy();
    const acmeToken = String(h.vapi.credentials.get(String(acmeNumber?.server?.credentialId))?.authenticationPlan?.token);
    expect((await h.vapi.sendServerMessage(id, endOfCall('call-cross'), { sign: acmeToken })).status).toBe(401);
  });

  it('Acme’s admin cannot open the report form of Globex’s number', async () => {
    const id = await vapiNumber(h, globex.id, 'Globex other');
    const before = new Set(h.emulator.views.keys());
    await h.slack.clickButton(
      {
        message: {
          blocks: [
            {
              type: 'actions',
              block_id: 'b',
              elements: [
                {
                  type: 'button',
                  action_id: `numbers.report.open:${id}`,
                  text: { type: 'plain_text', text: 'Report' },
                  value: JSON.stringify({ backend: 'vapi', vendorId: id, label: 'x' }),
                },
              ],
            },
          ],
        },
      },
      `numbers.report.open:${id}`,
      world.acmeAdmin,
    );
    const opened = await eventually(() => [...h.emulator.views.values()].find((view) => !before.has(view.id)), { message: 'the refusal' });
    expect(JSON.stringify(opened)).toContain('There is no such number');
  });
});

describe('a channel Slack refuses', () => {
  it('keeps the call for the App Home and tells whoever set the channel once', async () => {
    const id = await vapiNumber(h, acme.id, 'Back office');
    h.emulator.channels.add({ id: 'C0ACMEGONE', name: 'acme-gone', kind: 'public', teamId: acme.id, members: [acmeBot] });
    await setReport(h, world.acmeAdmin, id, 'C0ACMEGONE');
    const channel = h.emulator.channels.get('C0ACMEGONE');
    if (channel) channel.archived = true;
    const dms = () => postsIn(h, `D${world.acmeAdmin.userId.slice(1)}`).filter((message) => message.text.includes('cannot be posted'));
    for (const call of ['call-a', 'call-b']) expect((await h.vapi.sendServerMessage(id, endOfCall(call))).status).toBe(200);
    await eventually(async () => (await h.app.services.store.numberReports.countUnposted(teamKey(acme.id))) === 2, { message: 'both calls kept' });
    expect(dms()).toHaveLength(1);
    expect(postsIn(h, 'C0ACMEGONE')).toHaveLength(0);
  });
});
