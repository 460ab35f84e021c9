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
  // Both exist in Novu: only Switchboard's rule keeps them from Acme.
  for (const subscriberId of [globexOwn, madeForGlobex]) h.novu.subscribers.set(subscriberId, { subscriberId, email: `${subscriberId}@example.com` });
  await h.app.services.store.tenantSubscribers.claim(madeForGlobex, teamKey(globex.id));
  h.emulator.channels.add({ id: 'C0ACMEOPS1', name: 'acme-ops', kind: 'public', teamId: acme.id, members: [bot] });
});
afterAll(() => h.stop());

const errorsOf = (answer: { json?: Record<string, any> }) => JSON.stringify(answer.json?.errors ?? {});

async function routeChannel(actor: Actor, subscriberId: string) {
  const view = await h.openModal('/connect', `channel <#C0ACMEOPS1|acme-ops> ${subscriberId}`, 'routes.channel', actor);
  return { view, answer: await h.slack.submitView(view, {}, actor) };
}

describe('another workspace’s subscriber', () => {
  it('is refused under the field for a channel route, a link and a registration, with nothing written, in the words of an unknown subscriber', async () => {
    const before = world.novuWrites();
    for (const subscriberId of [globexOwn, madeForGlobex]) {
      const channel = await routeChannel(world.acmeAdmin, subscriberId);
      expect(errorsOf(channel.answer)).toContain(`Novu has no subscriber ${subscriberId} that this workspace can use`);

      const link = await h.openModal('/connect', `link <@U0MEMBER|member> ${subscriberId}`, 'routes.link', world.acmeAdmin);
      expect(errorsOf(await h.slack.submitView(link, {}, world.acmeAdmin))).toContain(`Novu has no subscriber ${subscriberId} that this workspace can use`);

      const register = await h.openModal('/phone', `register +14155550142 ${subscriberId}`, 'phone.register', world.acmeAdmin);
      const registered = await h.slack.submitView(register, { 'phone.integration': 'whatsapp-business' }, world.acmeAdmin);
      expect(errorsOf(registered)).toContain(`Novu has no subscriber ${subscriberId} that this workspace can use`);
    }
    expect(world.novuWrites()).toBe(before);

    // A subscriber Novu does not have: the job's answer from Novu, in the same words.
    const unknown = await routeChannel(world.acmeAdmin, 'nobody-anywhere');
    expect(unknown.answer.json?.response_action).toBe('update');
    const shown = await eventually(() => {
      const text = JSON.stringify(h.emulator.views.get(unknown.view.id));
      return text.includes('that this workspace can use') ? text : undefined;
    });
    expect(shown).toContain('Novu has no subscriber nobody-anywhere that this workspace can use');
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
