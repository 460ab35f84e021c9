import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectionIdentifier } from '../../../src/features/connect/settings.js';
import { teamKey } from '../../../src/store/workspace-key.js';
import { checkMessage, checkView } from '../../kit/block-kit.js';
import { eventually, type Harness, startHarness, team } from '../../kit/harness.js';
import { integratorTrigger } from '../../kit/integrator.js';

/** /connect status, setup, disconnect and audit, driven by signed Slack requests. */
let harness: Harness;
beforeEach(async () => {
  harness = await startHarness();
  await harness.install();
});
afterEach(() => harness.stop());

const connectionsPath = '/v1/channel-connections';

async function lastResponse(responseUrl: string | undefined) {
  return eventually(() => harness.emulator.responsesTo(responseUrl ?? '').at(-1), { message: `a response on ${responseUrl}` });
}

const openSetup = (actor = harness.actors.admin) => harness.openModal('/connect', 'setup', 'connect.setup', actor);

describe('/connect status', () => {
  it('shows the connection card with its buttons to an admin, and without them to a member', async () => {
    const forAdmin = await harness.slack.command('/connect', 'status', harness.actors.admin);
    const card = (await lastResponse(forAdmin.responseUrl)).body;
    expect(checkMessage(card)).toEqual([]);
    expect(card.response_type).toBe('ephemeral');
    const text = JSON.stringify(card);
    expect(text).toContain(connectionIdentifier('slack-prod', team.id));
    expect(text).toContain('tenant:T0TEAM0001');
    expect(text).toContain('connect.setup.open');
    expect(text).toContain('connect.disconnect');
    expect(text).toContain('connect.reconnect');
    // Names first: the card opens with the workspace and the integration; ids wait in the details line.
    const blocks = card.blocks as { type: string; text?: { text: string }; elements?: { text: string }[] }[];
    const lead = blocks.find((block) => block.type === 'section')?.text?.text ?? '';
    expect(lead).toContain('`slack-prod` integration');
    expect(lead).not.toContain(connectionIdentifier('slack-prod', team.id));
    const details = blocks.filter((block) => block.type === 'context').map((block) => block.elements?.[0]?.text ?? '');
    expect(details.find((line) => line.startsWith('Details:'))).toContain(connectionIdentifier('slack-prod', team.id));

    const forMember = await harness.slack.command('/connect', '', harness.actors.member);
    const memberCard = JSON.stringify((await lastResponse(forMember.responseUrl)).body);
    expect(memberCard).toContain(connectionIdentifier('slack-prod', team.id));
    expect(memberCard).not.toContain('connect.disconnect');
    expect(memberCard).not.toContain('connect.reconnect');
  });
});

describe('/connect status: the context to copy into triggers', () => {
  /** The `"context": {…}` the card shows, exactly as written there, and parsed. */
  async function shownContext(): Promise<{ written: string; context: Record<string, string> }> {
    const answer = await harness.slack.command('/connect', 'status', harness.actors.admin);
    const card = (await lastResponse(answer.responseUrl)).body as { blocks: { text?: { text: string } }[] };
    const triggering = card.blocks.map((block) => block.text?.text ?? '').find((text) => text.startsWith('*Triggering*')) ?? '';
    const written = /`("context": (\{[^`]*\}))`/.exec(triggering);
    if (!written?.[1] || !written[2]) throw new Error(`No context to copy in: ${triggering}`);
    return { written: written[1], context: JSON.parse(written[2]) };
  }

  const arrivals = async (context: Record<string, string>) => {
    const since = harness.emulator.calls.length;
    await integratorTrigger(harness.novu, { name: 'incident', to: 'sub-1', payload: { text: 'copied' }, context });
    return harness.emulator.calls.slice(since).filter((call) => call.method === 'chat.postMessage' && call.ok && call.args.text === 'Incident: copied').length;
  };

  it('is the exact object a trigger needs, before and after an admin adds region:eu; copied as shown, it delivers', async () => {
    harness.novu.addWorkflow('incident', ['chat'], 'Incident: {{payload.text}}');
    harness.emulator.channels.add({ id: 'C0OPSALERT', name: 'ops-alerts', kind: 'public', teamId: team.id, members: [`U${team.id}BOT`] });
    const route = await harness.openModal('/connect', 'channel <#C0OPSALERT|ops-alerts> sub-1', 'routes.channel');
    await harness.slack.submitView(route, {}, harness.actors.admin);
    await eventually(() => JSON.stringify(harness.emulator.views.get(route.id)).includes('delivery.test'), { message: 'routed' });

    const before = await shownContext();
    expect(before.written).toBe(`"context": {"tenant":"${team.id}"}`);
    expect(await arrivals(before.context)).toBe(1);

    const setup = await openSetup();
    await harness.slack.submitView(setup, { context: `tenant:${team.id}\nregion:eu` }, harness.actors.admin);
    await eventually(() => [...harness.novu.endpoints.values()].every((endpoint) => endpoint.contextKeys.includes('region:eu')), {
      message: 'the route moved',
    });
    const after = await shownContext();
    expect(after.written).toBe(`"context": {"region":"eu","tenant":"${team.id}"}`);
    expect(await arrivals(after.context)).toBe(1);
    expect(await arrivals(before.context)).toBe(0);
  });
});

describe('/connect setup', () => {
  it('opens the modal at once with no backend call before views.open, and the picker lists active Slack integrations', async () => {
    const novuCallsBefore = harness.novu.requests.length;
    const view = await openSetup();
    expect(harness.novu.requests.length).toBe(novuCallsBefore);
    expect(checkView(view)).toEqual([]);

    const suggestions = await harness.slack.suggest(view, 'integration', '', harness.actors.admin);
    const values = ((suggestions.json?.options ?? []) as { value: string }[]).map((option) => option.value);
    expect(values).toEqual(['slack-prod', 'slack-staging']);
    const filtered = await harness.slack.suggest(view, 'integration', 'stag', harness.actors.admin);
    expect(((filtered.json?.options ?? []) as { value: string }[]).map((option) => option.value)).toEqual(['slack-staging']);
  });

  it('refuses an invalid context inline and sends nothing to Novu', async () => {
    const view = await openSetup();
    const novuCallsBefore = harness.novu.requests.length;
    const answer = await harness.slack.submitView(view, { context: 'tenant:acme corp\nbad type!:x' }, harness.actors.admin);
    expect(answer.json?.response_action).toBe('errors');
    expect(answer.json?.errors.context).toMatch(/"tenant:acme corp" is not type:id|may only use letters/);
    expect(harness.novu.requests.length).toBe(novuCallsBefore);

    const tooMany = await harness.slack.submitView(view, { context: 'a:1\nb:2\nc:3\nd:4\ne:5\nf:6' }, harness.actors.admin);
    expect(tooMany.json?.errors.context).toContain('at most 5');
    const noSubscriber = await harness.slack.submitView(view, { mode: 'subscriber', subscriber: '' }, harness.actors.admin);
    expect(noSubscriber.json?.errors.subscriber).toContain('subscriber ID');
    expect(harness.novu.requests.length).toBe(novuCallsBefore);
  });

  it('moving to another integration creates the new connection and deletes the old one', async () => {
    const view = await openSetup();
    const answer = await harness.slack.submitView(view, { integration: 'slack-staging', context: 'tenant:T0TEAM0001\nregion:eu' }, harness.actors.admin);
    expect(answer.json?.response_action).toBe('update');
    const result = await eventually(() => {
      const latest = harness.emulator.views.get(view.id);
      return latest && JSON.stringify(latest).includes('white_check_mark') ? latest : undefined;
    });
    const newIdentifier = connectionIdentifier('slack-staging', team.id);
    expect(JSON.stringify(result)).toContain(newIdentifier);
    // The result says what to do next: nothing arrives until a route exists.
    expect(JSON.stringify(result)).toContain('Novu posts only where a route exists: route a channel here');
    expect(harness.novu.connections.get(newIdentifier)?.contextKeys).toEqual(['region:eu', 'tenant:T0TEAM0001']);
    await eventually(() => !harness.novu.connections.has(connectionIdentifier('slack-prod', team.id)), { message: 'the old connection deleted' });
    expect(harness.novu.invalidRequests()).toEqual([]);
    expect(await harness.app.services.store.connections.find(teamKey(team.id))).toMatchObject({
      identifier: newIdentifier,
      integrationIdentifier: 'slack-staging',
    });
  });

  it('Connected offers Route a channel, which opens the channel route form over the result, with the connection in its details', async () => {
    harness.emulator.channels.add({ id: 'C0OPSALERT', name: 'ops-alerts', kind: 'public', teamId: team.id, members: ['U0ADMIN', `U${team.id}BOT`] });
    const view = await openSetup();
    await harness.slack.submitView(view, {}, harness.actors.admin);
    const connected = await eventually(() => {
      const latest = harness.emulator.views.get(view.id);
      return latest && JSON.stringify(latest).includes('"Connected"') ? latest : undefined;
    });
    const next = JSON.stringify(connected.blocks);
    expect(next).toContain('"action_id":"routes.channel.open"');
    expect(next).toContain('Route a channel');

    const before = new Set(harness.emulator.views.keys());
    const pushes = harness.emulator.callsTo('views.push').length;
    await harness.slack.clickButton({ view: connected }, 'routes.channel.open', harness.actors.admin);
    const form = await eventually(
      () => [...harness.emulator.views.values()].find((candidate) => !before.has(candidate.id) && candidate.callback_id === 'routes.channel'),
      {
        message: 'the channel route form',
      },
    );
    // From a modal the form stacks on top of the result (views.push), rather than replacing it.
    expect(
      harness.emulator
        .callsTo('views.push')
        .slice(pushes)
        .filter((call) => call.ok),
    ).toHaveLength(1);
    expect(checkView(form)).toEqual([]);
    const text = JSON.stringify(form.blocks);
    expect(text).toContain('through this workspace’s Novu connection');
    expect(text).toContain(`Details: connection \`${connectionIdentifier('slack-prod', team.id)}\``);

    // The form it opens routes as /connect channel does.
    await harness.slack.submitView(form, { subscriber: 'sub-1', 'routes.channel.pick': 'C0OPSALERT' }, harness.actors.admin);
    await eventually(() => [...harness.novu.endpoints.values()].some((endpoint) => endpoint.type === 'slack_channel' && endpoint.subscriberId === 'sub-1'), {
      message: 'the route written',
    });
  });

  it('who may connect but not route sees Connected without Route a channel', async () => {
    const limited = await startHarness({ env: { PERMISSIONS: 'routes.write=operators' } });
    try {
      await limited.install();
      const view = await limited.openModal('/connect', 'setup', 'connect.setup', limited.actors.admin);
      await limited.slack.submitView(view, {}, limited.actors.admin);
      const connected = await eventually(() => {
        const latest = limited.emulator.views.get(view.id);
        return latest && JSON.stringify(latest).includes('"Connected"') ? latest : undefined;
      });
      expect(JSON.stringify(connected.blocks)).not.toContain('routes.channel.open');
      expect(JSON.stringify(connected.blocks)).toContain('route a channel with `/connect channel`');
    } finally {
      await limited.stop();
    }
  });

  it('a double submission makes one write', async () => {
    const view = await openSetup();
    const values = { integration: 'slack-staging' };
    await Promise.all([harness.slack.submitView(view, values, harness.actors.admin), harness.slack.submitView(view, values, harness.actors.admin)]);
    await eventually(() => harness.novu.connections.has(connectionIdentifier('slack-staging', team.id)));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(
      harness.novu
        .requestsTo('POST', connectionsPath)
        .filter((request) => (request.body as { integrationIdentifier: string }).integrationIdentifier === 'slack-staging'),
    ).toHaveLength(1);
  });

  it('by a member: refused with who may, audited, and no modal', async () => {
    const opened = await harness.slack.command('/connect', 'setup', harness.actors.member);
    expect(opened.json?.text).toContain('workspace admins');
    expect(harness.latestView('connect.setup')).toBeUndefined();
    const audit = await harness.app.services.store.audit.list({ workspaceKey: teamKey(team.id), limit: 5 });
    expect(audit[0]).toMatchObject({ action: 'connection.write', outcome: 'refused', userId: harness.actors.member.userId });
  });

  it('offers and accepts Slack integrations only: another kind is a field error, with nothing sent', async () => {
    const view = await openSetup();
    const before = harness.novu.requests.filter((request) => request.method !== 'GET').length;
    const email = await harness.slack.submitView(view, { integration: 'sendgrid' }, harness.actors.admin);
    expect(email.json?.errors.integration).toContain('is not a Slack integration');
    const gone = await harness.slack.submitView(view, { integration: 'slack-nowhere' }, harness.actors.admin);
    expect(gone.json?.errors.integration).toContain('not an active integration');
    expect(harness.novu.requests.filter((request) => request.method !== 'GET').length).toBe(before);
  });

  it('Novu answering 404 for the integration (removed since the form checked it) is shown in the modal, not retried', async () => {
    const view = await openSetup();
    await harness.slack.suggest(view, 'integration', '', harness.actors.admin);
    harness.novu.integrations.splice(0, harness.novu.integrations.length);
    await harness.slack.submitView(view, { integration: 'slack-staging' }, harness.actors.admin);
    const result = await eventually(() => {
      const text = JSON.stringify(harness.emulator.views.get(view.id));
      return text.includes(':x:') ? text : undefined;
    });
    expect(result).toContain('no such integration');
    expect(
      harness.novu
        .requestsTo('POST', connectionsPath)
        .filter((request) => (request.body as { integrationIdentifier?: string }).integrationIdentifier === 'slack-staging'),
    ).toHaveLength(1);
  });
});

describe('/connect disconnect', () => {
  it('asks for confirmation, then deletes the Novu connection and says so', async () => {
    const prompt = await harness.slack.command('/connect', 'disconnect', harness.actors.admin);
    const message = (await lastResponse(prompt.responseUrl)).body;
    expect(JSON.stringify(message)).toContain('"confirm"');
    expect(harness.novu.requests.some((request) => request.method === 'DELETE')).toBe(false);

    const click = await harness.slack.clickButton({ message, responseUrl: prompt.responseUrl }, 'connect.disconnect', harness.actors.admin);
    expect(click.status).toBe(200);
    const done = await eventually(() =>
      harness.emulator.responsesTo(prompt.responseUrl ?? '').find((post) => JSON.stringify(post.body).includes('Disconnected')),
    );
    expect(done.body.replace_original).toBe(true);
    expect(harness.novu.connections.size).toBe(0);
    expect(await harness.app.services.store.connections.find(teamKey(team.id))).toBeUndefined();
    const audit = await harness.app.services.store.audit.list({ workspaceKey: teamKey(team.id), limit: 5 });
    expect(audit[0]).toMatchObject({ action: 'connection.delete', outcome: 'ok', userId: harness.actors.admin.userId });
  });

  it('the button refuses a member and deletes nothing', async () => {
    const prompt = await harness.slack.command('/connect', 'disconnect', harness.actors.admin);
    const message = (await lastResponse(prompt.responseUrl)).body;
    const responseUrl = harness.emulator.newResponseUrl();
    await harness.slack.clickButton({ message, responseUrl }, 'connect.disconnect', harness.actors.member);
    const refusal = await lastResponse(responseUrl);
    expect(JSON.stringify(refusal.body)).toContain('Only workspace admins');
    expect(harness.novu.connections.size).toBe(1);
  });
});

describe('/connect audit', () => {
  it('lists recent entries for this workspace to an admin', async () => {
    const response = await harness.slack.command('/connect', 'audit', harness.actors.admin);
    const list = (await lastResponse(response.responseUrl)).body;
    expect(checkMessage(list)).toEqual([]);
    expect(JSON.stringify(list)).toContain('<@U0INSTALLER> connected this workspace to Novu.');
  });
});
