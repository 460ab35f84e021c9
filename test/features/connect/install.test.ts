import { afterEach, describe, expect, it } from 'vitest';
import { connectionIdentifier } from '../../../src/features/connect/settings.js';
import { enterpriseKey, teamKey } from '../../../src/store/workspace-key.js';
import { eventually, type Harness, type HarnessOptions, startHarness } from '../../kit/harness.js';

/**
 * The OAuth install lands the bot token in Novu as a channel connection: through real HTTP, the
 * Slack emulator's OAuth pages, and a Novu server that validates against Novu's OpenAPI spec.
 */
let harness: Harness;
afterEach(async () => {
  await harness?.stop();
});

async function start(options: HarnessOptions = {}): Promise<Harness> {
  harness = await startHarness(options);
  return harness;
}

const team = { id: 'T0TEAM0001', name: 'Acme Ops' };
const connectionsPath = '/v1/channel-connections';

/** Texts of the direct messages the bot sent a user (the emulator names a DM channel D + the user id without U). */
function directMessagesTo(h: Harness, userId: string): string[] {
  const channel = `D${userId.slice(1)}`;
  return h.emulator
    .callsTo('chat.postMessage')
    .filter((call) => call.ok && call.args.channel === channel)
    .map((call) => String(call.args.text));
}

describe('install → Novu channel connection', () => {
  it('writes exactly one valid connection with an Idempotency-Key, stores the installation, and shows the workspace', async () => {
    const h = await start();
    const page = await h.install();
    expect(page.status).toBe(200);
    expect(page.html).toContain('Acme Ops');
    expect(page.html).toContain('Connected to Novu');
    expect(page.html).toContain('Novu posts only where a route exists');
    expect(page.html).toContain('<code>/connect channel</code>');

    const posts = h.novu.requestsTo('POST', connectionsPath);
    expect(posts).toHaveLength(1);
    const [post] = posts;
    expect(post?.problems).toEqual([]);
    const identifier = connectionIdentifier('slack-prod', team.id);
    expect(post?.body).toEqual({
      identifier,
      integrationIdentifier: 'slack-prod',
      workspace: team,
      auth: { accessToken: h.emulator.latestBotToken(team.id) },
      connectionMode: 'shared',
      context: { tenant: team.id },
    });
    const key = String(post?.headers['idempotency-key']);
    expect(key.length).toBeGreaterThan(20);
    expect(key.length).toBeLessThanOrEqual(255);
    expect(key).toContain('channel-connections.create');
    expect(page.html).toContain(identifier);

    const stored = await h.app.services.store.installations.find(teamKey(team.id));
    expect(stored?.installation.bot?.token).toBe(h.emulator.latestBotToken(team.id));
    expect(await h.app.services.store.connections.find(teamKey(team.id))).toMatchObject({ identifier, state: 'connected' });
    const audit = await h.app.services.store.audit.list({ workspaceKey: teamKey(team.id), limit: 5 });
    expect(audit[0]).toMatchObject({ action: 'connection.install', outcome: 'ok', backendId: identifier, userId: 'U0INSTALLER' });
  });

  it('on reinstall updates the connection with one PATCH and never POSTs a second one', async () => {
    const h = await start();
    await h.install();
    const second = await h.install();
    expect(second.html).toContain('Connected to Novu');
    expect(h.novu.requestsTo('POST', connectionsPath)).toHaveLength(1);
    const patches = h.novu.requests.filter((request) => request.method === 'PATCH');
    expect(patches).toHaveLength(1);
    expect(patches[0]?.problems).toEqual([]);
    expect(patches[0]?.body).toEqual({ workspace: team, auth: { accessToken: h.emulator.latestBotToken(team.id) } });
    expect(h.novu.connections.size).toBe(1);
    expect([...h.novu.connections.values()][0]?.auth.accessToken).toBe(h.emulator.latestBotToken(team.id));
  });

  it('keys an org-wide install by the enterprise, end to end', async () => {
    const h = await start();
    const grid = { id: 'E0GRID0001', name: 'Acme Grid' };
    const page = await h.install({ team: undefined, enterprise: grid, isEnterpriseInstall: true });
    expect(page.status).toBe(200);
    expect(page.html).toContain('Acme Grid');
    const [post] = h.novu.requestsTo('POST', connectionsPath);
    expect(post?.body).toMatchObject({ workspace: grid, context: { tenant: grid.id }, identifier: connectionIdentifier('slack-prod', grid.id) });
    expect(await h.app.services.store.connections.find(enterpriseKey(grid.id))).toMatchObject({ state: 'connected' });

    const status = await h.slack.command('/connect', 'status', {
      userId: 'U0INSTALLER',
      teamId: 'T0GRIDTEAM',
      enterpriseId: grid.id,
      isEnterpriseInstall: true,
    });
    expect(status.status).toBe(200);
    const card = await eventually(() => h.emulator.responsesTo(status.responseUrl ?? '').at(-1));
    expect(JSON.stringify(card.body)).toContain(connectionIdentifier('slack-prod', grid.id));
  });

  it('with token rotation on, Novu gets each new access token and never a refresh token, whoever refreshed (Switchboard or Bolt)', async () => {
    const h = await start();
    await h.install({ rotation: { expiresIn: 3_600 } });
    const firstToken = h.emulator.latestBotToken(team.id);
    // Under two hours left: the next request rotates it (Switchboard's refresher goes first).
    await h.slack.command('/connect', 'status', h.actors.member);
    const second = await eventually(() => h.novu.receivedTokens().find((token) => token !== firstToken), { message: 'a PATCH with the rotated token' });

    // Switchboard's refresh fails (every retry), so Bolt refreshes by itself: that is a rotation too.
    h.emulator.failNext('oauth.v2.access', 'internal_error', { times: 4 });
    await h.slack.command('/connect', 'status', h.actors.member);
    const third = await eventually(() => h.novu.receivedTokens().find((token) => token !== firstToken && token !== second), {
      timeoutMs: 20_000,
      message: 'a PATCH with the token Bolt refreshed',
    });
    expect(third).toBe(h.emulator.latestBotToken(team.id));
    expect(h.emulator.refreshCount()).toBe(2);
    expect(h.novu.connections.get(connectionIdentifier('slack-prod', team.id))?.auth).toEqual({ accessToken: third });
    const sentAuth = h.novu.requests.filter((request) => request.path.startsWith(connectionsPath)).map((request) => (request.body as { auth?: object })?.auth);
    expect(sentAuth.filter(Boolean).every((auth) => Object.keys(auth ?? {}).join() === 'accessToken')).toBe(true);
    expect(h.novu.invalidRequests()).toEqual([]);
    expect(h.novu.requestsTo('POST', connectionsPath)).toHaveLength(1);
  });

  it('with NOVU_TOKEN_ROTATION=novu, Novu gets the refresh token and neither Switchboard nor Bolt refreshes', async () => {
    const h = await start({ env: { NOVU_TOKEN_ROTATION: 'novu' } });
    await h.install({ rotation: { expiresIn: 3_600 } });
    const [post] = h.novu.requestsTo('POST', connectionsPath);
    expect(post?.problems).toEqual([]);
    expect(post?.body).toMatchObject({
      auth: { accessToken: h.emulator.latestBotToken(team.id), refreshToken: expect.stringMatching(/^xoxe-/), expiresAt: expect.any(String) },
    });
    expect(h.novu.connections.size).toBe(1);
    await h.slack.command('/connect', 'status', h.actors.member);
    await h.app.services.refresher.sweep(24 * 3_600_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(h.emulator.refreshCount()).toBe(0);
  });

  it('a refresh token is refused by Novu when the integration cannot rotate: the install says so plainly', async () => {
    const h = await start({ env: { NOVU_TOKEN_ROTATION: 'novu', NOVU_INTEGRATION_IDENTIFIER: 'slack-staging' } });
    const page = await h.install({ rotation: { expiresIn: 3_600 } });
    expect(page.html).toContain('must have clientId and secretKey configured');
    expect(h.novu.connections.size).toBe(0);
  });
});

describe('install while Novu misbehaves', () => {
  it('Novu down: the success page comes at once, the write is retried, the connection exists once, and the installer gets a DM', async () => {
    const h = await start();
    await h.novu.goDown();
    const started = Date.now();
    const page = await h.install();
    expect(Date.now() - started).toBeLessThan(8_000);
    expect(page.status).toBe(200);
    expect(page.html).toContain('being completed in the background');
    expect(await h.app.services.store.installations.find(teamKey(team.id))).toBeDefined();

    await h.novu.comeBack();
    await eventually(() => h.novu.connections.size === 1, { timeoutMs: 20_000, message: 'the connection after Novu came back' });
    const dm = await eventually(() => directMessagesTo(h, 'U0INSTALLER').find((text) => text.includes('connected to Novu')), {
      timeoutMs: 10_000,
      message: 'a DM to the installer',
    });
    // The sentence names the integration; the connection's id waits in the details line.
    expect(dm).toContain('through the `slack-prod` integration (after');
    const blocks = JSON.stringify(h.emulator.callsTo('chat.postMessage').map((call) => call.args.blocks));
    expect(blocks).toContain(`Details: channel connection \`${connectionIdentifier('slack-prod', team.id)}\``);
    expect(h.novu.requestsTo('POST', connectionsPath).filter((request) => request.problems.length === 0)).toHaveLength(1);
  });

  it('Novu down and the process restarted while the write is pending: the queue resumes and the connection exists once', async () => {
    const h = await start();
    await h.novu.goDown();
    const page = await h.install();
    expect(page.html).toContain('being completed in the background');
    await h.restart();
    await h.novu.comeBack();
    await eventually(() => h.novu.connections.size === 1, { timeoutMs: 20_000, message: 'the connection after the restart' });
    await eventually(() => directMessagesTo(h, 'U0INSTALLER').some((text) => text.includes('connected to Novu')), { timeoutMs: 10_000, message: 'the DM' });
    expect(h.novu.connections.size).toBe(1);
  });

  it('429 with Retry-After: 2 is retried no sooner than 2 s later, making one connection', async () => {
    const h = await start();
    h.novu.inject({
      match: `POST ${connectionsPath}`,
      reply: { status: 429, headers: { 'retry-after': '2' }, body: { statusCode: 429, message: 'API rate limit exceeded' } },
    });
    const page = await h.install();
    expect(page.html).toContain('being completed in the background');
    await eventually(() => h.novu.connections.size === 1, { timeoutMs: 15_000, message: 'the connection after the rate limit' });
    const posts = h.novu.requestsTo('POST', connectionsPath);
    expect(posts).toHaveLength(2);
    expect((posts[1]?.at ?? 0) - (posts[0]?.at ?? 0)).toBeGreaterThanOrEqual(2_000);
  });

  it('adopts a connection Novu says already exists (409 naming it) and updates it', async () => {
    const h = await start();
    h.novu.connections.set('chconn-legacy', {
      identifier: 'chconn-legacy',
      integrationIdentifier: 'slack-prod',
      subscriberId: null,
      contextKeys: [`tenant:${team.id}`],
      workspace: { id: team.id },
      auth: { accessToken: 'xoxb-old-token-from-elsewhere' },
      createdAt: new Date().toISOString(),
      updatedAt: new Date().toISOString(),
    });
    const page = await h.install();
    expect(page.html).toContain('chconn-legacy');
    expect(h.novu.connections.size).toBe(1);
    expect(h.novu.connections.get('chconn-legacy')?.auth.accessToken).toBe(h.emulator.latestBotToken(team.id));
    expect(h.novu.requestsTo('PATCH', `${connectionsPath}/chconn-legacy`)).toHaveLength(1);
    expect(await h.app.services.store.connections.find(teamKey(team.id))).toMatchObject({ identifier: 'chconn-legacy' });
  });

  it('"Feature not enabled" is terminal and says whom to ask; nothing is retried', async () => {
    const h = await start();
    h.novu.featureEnabled = false;
    const page = await h.install();
    expect(page.status).toBe(200);
    expect(page.html).toContain('Feature not enabled');
    expect(page.html).toContain('support@novu.co');
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(h.novu.requestsTo('POST', connectionsPath)).toHaveLength(1);
    const audit = await h.app.services.store.audit.list({ workspaceKey: teamKey(team.id), limit: 5 });
    expect(audit[0]).toMatchObject({ action: 'connection.install', outcome: 'failed' });
  });

  it('a refused API key is terminal and names the variable to fix', async () => {
    const h = await start({ env: { NOVU_SECRET_KEY: 'novu-secret-wrong0000' } });
    const page = await h.install();
    expect(page.html).toContain('NOVU_SECRET_KEY');
    expect(page.html).not.toMatch(/\bat [\w.]+ \(/);
  });

  it('without NOVU_INTEGRATION_IDENTIFIER, the install succeeds and says how to connect', async () => {
    const h = await start({ env: { NOVU_INTEGRATION_IDENTIFIER: '' } });
    const page = await h.install();
    expect(page.status).toBe(200);
    expect(page.html).toContain('NOVU_INTEGRATION_IDENTIFIER');
    expect(h.novu.requestsTo('POST', connectionsPath)).toHaveLength(0);
  });
});

describe('uninstall', () => {
  const orders: [string, string[]][] = [
    ['app_uninstalled then tokens_revoked', ['app_uninstalled', 'tokens_revoked']],
    ['tokens_revoked then app_uninstalled', ['tokens_revoked', 'app_uninstalled']],
    ['duplicates of both, some at once', ['app_uninstalled', 'app_uninstalled', 'tokens_revoked', 'tokens_revoked']],
  ];
  it.each(orders)('%s: the installation is gone, one DELETE, audited, later requests refused cleanly', async (_name, events) => {
    const h = await start();
    await h.install();
    const identifier = connectionIdentifier('slack-prod', team.id);
    h.emulator.revokeWorkspace(team.id);
    const eventBody = (type: string) => (type === 'tokens_revoked' ? { type, tokens: { bot: ['U0BOT'], oauth: [] } } : { type });
    const [first, ...rest] = events;
    const firstResponse = await h.slack.event(eventBody(first ?? ''), { teamId: team.id });
    const restResponses = await Promise.all(rest.map((type) => h.slack.event(eventBody(type), { teamId: team.id })));
    for (const response of [firstResponse, ...restResponses]) expect(response.status).toBe(200);

    expect(await h.app.services.store.installations.find(teamKey(team.id))).toBeUndefined();
    await eventually(() => !h.novu.connections.has(identifier), { timeoutMs: 10_000, message: 'the connection deleted in Novu' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(h.novu.requestsTo('DELETE', `${connectionsPath}/${identifier}`)).toHaveLength(1);
    const audit = await h.app.services.store.audit.list({ workspaceKey: teamKey(team.id), limit: 10 });
    expect(audit.filter((entry) => entry.action === 'workspace.uninstall')).toHaveLength(1);
    await eventually(async () =>
      (await h.app.services.store.audit.list({ workspaceKey: teamKey(team.id), limit: 10 })).some((entry) => entry.action === 'connection.delete'),
    );

    // Answered in the acknowledgement itself: nothing waits on a response_url post.
    const later = await h.slack.command('/connect', 'status', h.actors.admin);
    expect(later.status).toBe(200);
    expect(later.json?.text).toContain('not installed in this workspace');
    expect(h.emulator.responsesTo(later.responseUrl ?? '')).toEqual([]);
  });

  const grid = { id: 'E0GRID0001', name: 'Acme Grid' };
  const gridWorkspace = { id: 'T0GRIDTEAM', name: 'Acme Support' };

  // Slack's documented payloads for these events carry no `authorizations`: Bolt alone would
  // take them for a team install and miss the enterprise's installation.
  it.each([
    ['app_uninstalled, team_id empty', { type: 'app_uninstalled' }, undefined],
    ['app_uninstalled, team_id a workspace of the org', { type: 'app_uninstalled' }, gridWorkspace.id],
    ['tokens_revoked, team_id empty', { type: 'tokens_revoked', tokens: { bot: [`U${grid.id}BOT`], oauth: [] } }, undefined],
  ])('an org-wide uninstall (%s) removes the enterprise installation and its Novu connection', async (_name, event, teamId) => {
    const h = await start();
    await h.install({ team: undefined, enterprise: grid, isEnterpriseInstall: true });
    const identifier = connectionIdentifier('slack-prod', grid.id);
    h.emulator.revokeWorkspace(grid.id);
    const response = await h.slack.event(event, { enterpriseId: grid.id, teamId, isEnterpriseInstall: true });
    expect(response.status).toBe(200);

    await eventually(async () => (await h.app.services.store.installations.find(enterpriseKey(grid.id))) === undefined, {
      message: 'the enterprise installation removed',
    });
    await eventually(() => !h.novu.connections.has(identifier), { timeoutMs: 10_000, message: 'the connection deleted in Novu' });
    const audit = await h.app.services.store.audit.list({ workspaceKey: enterpriseKey(grid.id), limit: 10 });
    expect(audit.filter((entry) => entry.action === 'workspace.uninstall')).toHaveLength(1);
  });

  it('with a workspace install and an org-wide install of the same org, only the one Slack revoked goes', async () => {
    const h = await start();
    await h.install({ team: undefined, enterprise: grid, isEnterpriseInstall: true });
    await h.install({ team: gridWorkspace, enterprise: grid, isEnterpriseInstall: false });
    expect(await h.app.services.store.installations.find(teamKey(gridWorkspace.id))).toBeDefined();

    // The workspace's own install is removed: its token stops working, the org's does not.
    const workspaceToken = h.emulator.latestBotToken(gridWorkspace.id) ?? '';
    h.emulator.revokeToken(workspaceToken);
    await h.slack.event({ type: 'app_uninstalled' }, { teamId: gridWorkspace.id, enterpriseId: grid.id });
    await eventually(async () => (await h.app.services.store.installations.find(teamKey(gridWorkspace.id))) === undefined, {
      message: 'the workspace installation removed',
    });
    expect(await h.app.services.store.installations.find(enterpriseKey(grid.id))).toBeDefined();
    expect(h.novu.connections.has(connectionIdentifier('slack-prod', grid.id))).toBe(true);
    await eventually(() => !h.novu.connections.has(connectionIdentifier('slack-prod', gridWorkspace.id)), { timeoutMs: 10_000 });

    // tokens_revoked names the bot it revoked: the org's, this time.
    h.emulator.revokeWorkspace(grid.id);
    await h.slack.event({ type: 'tokens_revoked', tokens: { bot: [`U${grid.id}BOT`], oauth: [] } }, { teamId: gridWorkspace.id, enterpriseId: grid.id });
    await eventually(async () => (await h.app.services.store.installations.find(enterpriseKey(grid.id))) === undefined, {
      message: 'the enterprise installation removed',
    });
  });

  it('an uninstall event for a workspace Switchboard never held changes nothing', async () => {
    const h = await start();
    await h.install();
    const response = await h.slack.event({ type: 'app_uninstalled' }, { teamId: 'T0STRANGER', enterpriseId: 'E0STRANGER' });
    expect(response.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await h.app.services.store.installations.find(teamKey(team.id))).toBeDefined();
    expect(h.novu.requests.filter((request) => request.method === 'DELETE')).toHaveLength(0);
  });

  it('a delete that meets a Novu outage is kept and done when Novu is back', async () => {
    const h = await start();
    await h.install();
    const identifier = connectionIdentifier('slack-prod', team.id);
    await h.novu.goDown();
    await h.slack.event({ type: 'app_uninstalled' }, { teamId: team.id });
    await new Promise((resolve) => setTimeout(resolve, 500));
    await h.novu.comeBack();
    await eventually(() => !h.novu.connections.has(identifier), { timeoutMs: 20_000, message: 'the delayed delete' });
  });

  it('keeps the Novu connection when NOVU_KEEP_CONNECTION_ON_UNINSTALL is true', async () => {
    const h = await start({ env: { NOVU_KEEP_CONNECTION_ON_UNINSTALL: 'true' } });
    await h.install();
    await h.slack.event({ type: 'app_uninstalled' }, { teamId: team.id });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(h.novu.connections.size).toBe(1);
    expect(h.novu.requests.filter((request) => request.method === 'DELETE')).toHaveLength(0);
    expect(await h.app.services.store.installations.find(teamKey(team.id))).toBeUndefined();
  });
});
