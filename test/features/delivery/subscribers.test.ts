import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { teamKey } from '../../../src/store/workspace-key.js';
import { eventually, type Harness } from '../../kit/harness.js';
import type { Actor } from '../../kit/slack-sender.js';
import { acme, globex, startWorld, type World } from '../../tenancy/world.js';

/**
 * Subscribers stay with their tenant: a workspace admin cannot route, link or register for another
 * workspace's own subscriber (`slack-{tenant}`) or one Switchboard made for another workspace —
 * refused before anything is written, in the very words a subscriber Novu does not have gets.
 */
let world: World;
let h: Harness;
const bot = `U${acme.id}BOT`;
const globexOwn = `slack-${globex.id}`;
const madeForGlobex = 'globex-made-subscriber';

beforeAll(async () => {
  world = await startWorld();
  h = world.harness;
  for (const install of [world.installAcme, world.installGlobex]) await install();
  h.novu.subscribers.set(globexOwn, { subscriberId: globexOwn, email: `${globexOwn}@example.com` });
  // An operator puts Globex's connection on a subscriber of its choosing: Switchboard makes it in Novu and records it as Globex's.
  const operatorInGlobex: Actor = { userId: world.operator.userId, teamId: globex.id };
  const setup = await h.openModal('/connect', 'setup', 'connect.setup', operatorInGlobex);
  await h.slack.submitView(setup, { mode: 'subscriber', subscriber: madeForGlobex }, operatorInGlobex);
  await eventually(async () => (await h.app.services.store.tenantSubscribers.owner(madeForGlobex)) === teamKey(globex.id), { message: 'the claim' });
  await eventually(() => h.novu.subscribers.has(madeForGlobex), { message: 'the subscriber made in Novu' });
  // The connection is written after the subscriber: wait for it, so no write of this setup lands inside a test.
  await eventually(
    () =>
      h.novu
        .requestsTo('POST', '/v1/channel-connections')
        .some((request) => request.status !== undefined && (request.body as { subscriberId?: string }).subscriberId === madeForGlobex),
    { message: 'the connection on that subscriber' },
  );
  h.emulator.channels.add({ id: 'C0ACMEOPS1', name: 'acme-ops', kind: 'public', teamId: acme.id, members: [bot] });
});
afterAll(() => h.stop());

async function routeChannel(actor: Actor, subscriberId: string) {
  const view = await h.openModal('/connect', `channel <#C0ACMEOPS1|acme-ops> ${subscriberId}`, 'routes.channel', actor);
  return { view, answer: await h.slack.submitView(view, {}, actor) };
}

/** Submits a form and returns what the person is told in it: the field errors, or the view once it says the subscriber cannot be used. */
async function outcome(view: { id: string }, values: Record<string, unknown>, actor: Actor): Promise<string> {
  const answer = await h.slack.submitView(view as never, values, actor);
  if (answer.json?.response_action === 'errors') return JSON.stringify(answer.json.errors);
  return eventually(
    () => {
      const text = JSON.stringify(h.emulator.views.get(view.id));
      return text.includes('in this workspace. Create it in Novu first') ? text : undefined;
    },
    { message: 'the form’s result', timeoutMs: 10_000 },
  );
}

describe('another workspace’s subscriber', () => {
  it('is refused when the write runs, for a channel route, a link and a registration, with nothing written — answered exactly as a subscriber Novu does not have', async () => {
    const before = world.novuWrites();
    const firstRequest = h.novu.requests.length;
    const shown = new Map<string, string[]>();
    for (const subscriberId of [globexOwn, madeForGlobex, 'nobody-anywhere']) {
      const answers: string[] = [];
      const channel = await h.openModal('/connect', `channel <#C0ACMEOPS1|acme-ops> ${subscriberId}`, 'routes.channel', world.acmeAdmin);
      answers.push(await outcome(channel, {}, world.acmeAdmin));
      const link = await h.openModal('/connect', `link <@U0MEMBER|member> ${subscriberId}`, 'routes.link', world.acmeAdmin);
      answers.push(await outcome(link, {}, world.acmeAdmin));
      const register = await h.openModal('/phone', `register +14155550142 ${subscriberId}`, 'phone.register', world.acmeAdmin);
      answers.push(await outcome(register, { 'phone.integration': 'whatsapp-business' }, world.acmeAdmin));
      for (const answer of answers) {
        expect(answer).toContain(`Novu has no subscriber ${subscriberId} in this workspace`);
        // Novu's own words are kept behind the sentence, the same for a subscriber Novu does not have and another workspace's.
        expect(answer).toContain(`Details: Novu answered 404: Subscriber not found: ${subscriberId}.`);
      }
      shown.set(
        subscriberId,
        answers.map((answer) =>
          answer
            .replaceAll(subscriberId, 'X')
            .replace(/"(id|hash|root_view_id)":"[^"]+"/g, '')
            .replace(/response\/[0-9a-f]+/g, ''),
        ),
      );
    }
    expect(shown.get(globexOwn)).toEqual(shown.get('nobody-anywhere'));
    expect(shown.get(madeForGlobex)).toEqual(shown.get('nobody-anywhere'));
    const foreignWrites = h.novu.requests
      .slice(firstRequest)
      .filter(
        (request) =>
          request.method !== 'GET' && [globexOwn, madeForGlobex].includes(String((request.body as { subscriberId?: string } | undefined)?.subscriberId)),
      );
    expect(foreignWrites).toEqual([]);
    expect(world.novuWrites()).toBe(before + 3);
  });

  it('is refused when the write runs, too: a forged join confirmation names Globex’s subscriber and nothing reaches Novu', async () => {
    const before = world.novuWrites();
    const forged = { id: 'V0FORGED02', hash: 'h', type: 'modal' as const, callback_id: 'routes.channel.join', blocks: [], state: { values: {} } };
    h.emulator.channels.add({ id: 'C0ACMEPUB1', name: 'acme-public', kind: 'public', teamId: acme.id, members: [] });
    await h.slack.submitView({ ...forged, private_metadata: JSON.stringify({ subscriberId: globexOwn, channelId: 'C0ACMEPUB1' }) }, {}, world.acmeAdmin);
    await eventually(async () => {
      const audit = await h.app.services.store.audit.list({ workspaceKey: teamKey(acme.id), actions: ['route.create'], limit: 1 });
      return audit[0]?.outcome === 'failed' ? audit[0] : undefined;
    });
    expect(
      h.novu.requestsTo('POST', '/v1/channel-endpoints').filter((request) => (request.body as { subscriberId: string }).subscriberId === globexOwn),
    ).toHaveLength(0);
    expect(world.novuWrites()).toBe(before);
  });

  it('its own workspace, and an operator, may use it', async () => {
    h.emulator.channels.add({ id: 'C0GLOBOPS1', name: 'globex-ops', kind: 'public', teamId: globex.id, members: [`U${globex.id}BOT`] });
    const own = await h.openModal('/connect', `channel <#C0GLOBOPS1|globex-ops> ${globexOwn}`, 'routes.channel', world.globexAdmin);
    expect((await h.slack.submitView(own, {}, world.globexAdmin)).json?.response_action).toBe('update');
    const byOperator = await routeChannel(world.operator, madeForGlobex);
    expect(byOperator.answer.json?.response_action).toBe('update');
    await eventually(() => [...h.novu.endpoints.values()].some((endpoint) => endpoint.subscriberId === madeForGlobex));
  });
});
