import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { teamKey } from '../../../src/store/workspace-key.js';
import type { RecordedRequest } from '../../kit/backends/fake-backend.js';
import { eventually, type Harness, startHarness, team } from '../../kit/harness.js';
import type { Actor } from '../../kit/slack-sender.js';
import { openVapiForm } from '../../kit/vapi-form.js';

/**
 * Accounts larger than a page: `/phone numbers` and the assistant and squad pickers read Vapi and
 * SignalWire page by page, through the real receiver, against fakes that page as the vendors do.
 */
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ vapi: true, signalwire: true });
  await h.install();
}, 60_000);
afterAll(() => h.stop());
beforeEach(() => {
  for (const backend of [h.vapi, h.signalwire]) {
    backend.clearFaults();
    backend.requests.length = 0;
    backend.numbers.clear();
  }
  expect(h.emulator.problems).toEqual([]);
});

type Message = { blocks: Record<string, any>[] };
const text = (message: Message) => JSON.stringify(message.blocks);
const e164 = (prefix: string, index: number) => `+1${prefix}${String(index).padStart(4, '0')}`;

/** 250 numbers on each vendor (index 0 the oldest); every fifth is this workspace's, made through Switchboard. */
async function twoHundredFifty(prefix: { vapi: string; signalwire: string }): Promise<void> {
  const vapi = h.vapi.addNumbers(250, (index) => ({ number: e164(prefix.vapi, index), name: `Line ${index}` }));
  const signalwire = h.signalwire.addNumbers(250, (index) => ({ number: e164(prefix.signalwire, index), name: `Desk ${index}` }));
  const owned = { workspaceKey: teamKey(team.id), sipUri: null, status: 'active', name: null, createdBy: h.actors.operator.userId };
  for (let index = 0; index < 250; index += 5) {
    await h.app.services.store.numbers.add({ ...owned, backend: 'vapi', vendorId: String(vapi[index]?.id), number: e164(prefix.vapi, index) });
    await h.app.services.store.numbers.add({
      ...owned,
      backend: 'signalwire',
      vendorId: String(signalwire[index]?.id),
      number: e164(prefix.signalwire, index),
    });
  }
}

async function numbersList(actor: Actor): Promise<{ message: Message; responseUrl: string }> {
  const response = await h.slack.command('/phone', 'numbers', actor);
  const responseUrl = response.responseUrl ?? '';
  const post = await eventually(() => h.emulator.responsesTo(responseUrl).at(-1), { message: '/phone numbers', timeoutMs: 15_000 });
  return { message: post.body as Message, responseUrl };
}

/** Clicks "Show more" of `backend` and returns the message that replaced the list. */
async function showMore(list: { message: Message; responseUrl: string }, backend: 'vapi' | 'signalwire', actor: Actor) {
  const posted = h.emulator.responsesTo(list.responseUrl).length;
  await h.slack.clickButton(list, `numbers.list.more:${backend}`, actor);
  const post = await eventually(() => h.emulator.responsesTo(list.responseUrl)[posted], { message: 'the next part', timeoutMs: 15_000 });
  expect(post.body).toMatchObject({ replace_original: true });
  return { message: post.body as Message, responseUrl: list.responseUrl };
}

const query = (request: RecordedRequest) => Object.fromEntries(request.query);

describe('/phone numbers beyond a page', () => {
  it('lists the workspace’s numbers from every page of both vendors, in parts of one message each, with valid paging requests', async () => {
    await twoHundredFifty({ vapi: '415600', signalwire: '415700' });
    const first = await numbersList(h.actors.admin);
    expect(text(first.message)).toContain('*Vapi* (50)');
    expect(text(first.message)).toContain('*SignalWire* (50)');
    expect(first.message.blocks.length).toBeLessThanOrEqual(50);
    expect(text(first.message)).toContain('Showing 1–10 of 50 Vapi numbers.');
    // Another workspace's numbers, on the same pages, are not listed.
    expect(text(first.message)).not.toContain(e164('415600', 249));

    const vapiPages = h.vapi.requestsTo('GET', '/v2/phone-number').map(query);
    expect(vapiPages).toEqual([1, 2, 3].map((page) => ({ page: String(page), limit: '100' })));
    const signalWirePages = h.signalwire.requestsTo('GET', '/api/relay/rest/phone_numbers').map(query);
    expect(signalWirePages).toHaveLength(3);
    expect(signalWirePages[0]).toEqual({ page_size: '100' });
    expect(signalWirePages[1]).toMatchObject({ page_number: '1', page_size: '100', page_token: expect.stringMatching(/^PA/) });
    expect(signalWirePages[2]).toMatchObject({ page_number: '2', page_size: '100' });
    expect([...h.vapi.invalidRequests(), ...h.signalwire.invalidRequests()]).toEqual([]);

    // The oldest number, on the third page, is two "Show more" away.
    expect(text(first.message)).not.toContain(e164('415600', 0));
    const second = await showMore(first, 'vapi', h.actors.admin);
    expect(text(second.message)).toContain('Showing 11–30 of 50 Vapi numbers.');
    expect(text(second.message)).not.toContain('*SignalWire*');
    const third = await showMore(second, 'vapi', h.actors.admin);
    expect(text(third.message)).toContain(e164('415600', 0));
    expect(text(third.message)).toContain('Showing 31–50 of 50 Vapi numbers.');
    expect(third.message.blocks.some((block) => String(block.accessory?.action_id).startsWith('numbers.list.more'))).toBe(false);
    const signalWireRest = await showMore(first, 'signalwire', h.actors.admin);
    expect(text(signalWireRest.message)).toContain(e164('415700', 145));
    expect(h.emulator.problems).toEqual([]);
  });

  it('stops at its bound and says how many more there are; operators see every number', async () => {
    h.vapi.addNumbers(1_050, (index) => ({ number: e164('415800', index) }));
    h.signalwire.addNumbers(1_050, (index) => ({ number: e164('415900', index) }));
    const { message } = await numbersList(h.actors.operator);
    expect(text(message)).toContain('*Vapi* (1000)');
    expect(text(message)).toContain('Switchboard reads the newest 1,000 numbers on Vapi; Vapi has 50 more numbers.');
    expect(text(message)).toContain('Switchboard reads the newest 1,000 numbers on SignalWire; SignalWire has more.');
    expect(h.vapi.requestsTo('GET', '/v2/phone-number')).toHaveLength(10);
    expect(h.signalwire.requestsTo('GET', '/api/relay/rest/phone_numbers')).toHaveLength(10);
    expect(message.blocks.length).toBeLessThanOrEqual(50);
    expect([...h.vapi.invalidRequests(), ...h.signalwire.invalidRequests()]).toEqual([]);
  }, 30_000);

  it('a vendor failing on page 2 is said in words, and the numbers of page 1 stay listed', async () => {
    await twoHundredFifty({ vapi: '416600', signalwire: '416700' });
    const pageTwo = (request: RecordedRequest) => request.query.get('page') === '2' || request.query.get('page_number') === '1';
    h.vapi.inject({ match: pageTwo, times: 10, reply: { status: 500, body: { message: 'Internal server error', statusCode: 500 } } });
    h.signalwire.inject({ match: pageTwo, times: 10, reply: { status: 500, body: { error: 'Internal Server Error' } } });
    const { message } = await numbersList(h.actors.admin);
    // Page 1 holds the newest hundred: twenty of them are this workspace's.
    expect(text(message)).toContain('*Vapi* (20)');
    expect(text(message)).toContain('*SignalWire* (20)');
    expect(text(message)).toContain(e164('416600', 245));
    expect(text(message)).toContain('Vapi stopped answering after 100 numbers, so this list may be incomplete.');
    expect(text(message)).toContain('SignalWire stopped answering after 100 numbers');
    expect(text(message)).toMatch(/Details: .*Internal server error/);
  }, 30_000);
});

describe('assistant and squad pickers beyond a page', () => {
  it('find an assistant on page 3 and a squad on page 2 by what is typed, asking Vapi with valid paging', async () => {
    h.vapi.addNamed(h.vapi.assistants, 250, (index) => (index === 10 ? 'Night concierge' : `Agent ${index}`));
    h.vapi.addNamed(h.vapi.squads, 150, (index) => (index === 20 ? 'Weekend escalation squad' : `Squad ${index}`));
    const form = await openVapiForm(h, h.actors.operator, { kind: 'sip' });
    const started = Date.now();
    const assistants = await h.slack.suggest(form, 'numbers.assistant', 'CONCIERGE', h.actors.operator);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(assistants.json?.options).toEqual([{ text: expect.objectContaining({ text: 'Night concierge' }), value: expect.any(String) }]);
    const pages = h.vapi.requestsTo('GET', '/assistant').map(query);
    expect(pages).toHaveLength(3);
    expect(pages[0]).toEqual({ limit: '100' });
    const oldestOnPageOne = h.vapi.assistants.find((assistant) => assistant.name === 'Agent 150')?.createdAt;
    expect(pages[1]).toEqual({ limit: '100', createdAtLt: oldestOnPageOne });

    const squadForm = await openVapiForm(h, h.actors.operator, { answeredBy: 'squad' });
    const squads = await h.slack.suggest(squadForm, 'numbers.squad', 'weekend', h.actors.operator);
    expect(((squads.json?.options ?? []) as { text: { text: string } }[]).map((option) => option.text.text)).toEqual(['Weekend escalation squad']);
    // Everything typed matches: Slack's 100 options, read from the first page alone.
    const all = await h.slack.suggest(form, 'numbers.assistant', '', h.actors.operator);
    expect(all.json?.options).toHaveLength(100);
    expect(h.vapi.invalidRequests()).toEqual([]);
  });
});
