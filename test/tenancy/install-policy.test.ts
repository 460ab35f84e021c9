import { afterEach, describe, expect, it } from 'vitest';
import { connectionIdentifier } from '../../src/features/connect/settings.js';
import { enterpriseKey, teamKey } from '../../src/store/workspace-key.js';
import { eventually, type Harness } from '../kit/harness.js';
import { acme, globex, grid, startWorld, type World } from './world.js';

/** Who may install: operators approve new workspaces in Slack before anything of theirs reaches Novu. */
let world: World;
let h: Harness;
afterEach(() => h?.stop());

async function start(env: Record<string, string>): Promise<World> {
  world = await startWorld({ env });
  h = world.harness;
  return world;
}

const auditChannel = 'C0AUDIT0001';
const postsTo = (channel: string) => h.emulator.callsTo('chat.postMessage').filter((call) => call.ok && call.args.channel === channel);
/** The emulator names a DM channel D + the user id without its U. */
const dmTo = (userId: string) => `D${userId.slice(1)}`;

describe('INSTALL_POLICY=approval (the default)', () => {
  it('a new workspace waits: nothing reaches Novu, its commands say so, and operators are asked in the audit channel and by DM', async () => {
    await start({ INSTALL_POLICY: 'approval', AUDIT_CHANNEL: `${acme.id}:${auditChannel}` });
    h.emulator.channels.add({ id: auditChannel, name: 'switchboard-audit', kind: 'public' });
    // An operator's own install is approved at once.
    const own = await h.install({ team: acme, userId: world.operator.userId });
    expect(own.html).toContain('Connected to Novu');

    const page = await world.installGlobex();
    expect(page.status).toBe(200);
    expect(page.html).toContain('data-outcome="pending-approval"');
    expect(page.html).toContain('operators were asked');
    expect(page.html).toContain('once the workspace is approved, route a channel');
    expect(page.html).not.toContain('OPERATORS');
    expect(h.novu.requestsTo('POST', '/v1/channel-connections')).toHaveLength(1);
    expect(await h.app.services.store.tenants.find(teamKey(globex.id))).toMatchObject({ status: 'pending', installedBy: world.globexAdmin.userId });

    const status = await h.slack.command('/connect', 'status', world.globexAdmin);
    expect(status.json?.text).toContain('waiting for its operators to approve');
    const setup = await h.slack.command('/connect', 'setup', world.globexAdmin);
    expect(setup.json?.text).toContain('waiting for its operators to approve');
    expect(h.emulator.callsTo('views.open').filter((call) => call.ok)).toHaveLength(0);

    const request = await eventually(() => postsTo(auditChannel).find((call) => JSON.stringify(call.args.blocks ?? []).includes('tenants.approve')));
    expect(JSON.stringify(request.args.blocks)).toContain(globex.id);
    await eventually(() => postsTo(dmTo(world.operator.userId)).some((call) => JSON.stringify(call.args.blocks ?? []).includes('tenants.approve')), {
      message: 'the DM to the operator',
    });
  });

  it('only an operator can approve; a double click approves once and writes one connection; the installer hears of it', async () => {
    await start({ INSTALL_POLICY: 'approval', AUDIT_CHANNEL: `${acme.id}:${auditChannel}` });
    h.emulator.channels.add({ id: auditChannel, name: 'switchboard-audit', kind: 'public' });
    await h.install({ team: acme, userId: world.operator.userId });
    await world.installGlobex();
    const request = await eventually(() => postsTo(auditChannel).find((call) => JSON.stringify(call.args.blocks ?? []).includes('tenants.approve')));
    const message = { blocks: request.args.blocks };
    const responseUrl = h.emulator.newResponseUrl();

    await h.slack.clickButton({ message, responseUrl }, 'tenants.approve', world.acmeAdmin);
    const refusal = await eventually(() => h.emulator.responsesTo(responseUrl).at(-1));
    expect(JSON.stringify(refusal.body)).toContain('Only Switchboard operators');
    expect(await h.app.services.store.tenants.find(teamKey(globex.id))).toMatchObject({ status: 'pending' });

    await Promise.all([
      h.slack.clickButton({ message, responseUrl }, 'tenants.approve', world.operator),
      h.slack.clickButton({ message, responseUrl }, 'tenants.approve', world.operator),
    ]);
    await eventually(() => h.novu.connections.has(connectionIdentifier('slack-prod', globex.id)), { message: 'Globex connected after approval' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(
      h.novu.requestsTo('POST', '/v1/channel-connections').filter((post) => (post.body as { workspace?: { id?: string } }).workspace?.id === globex.id),
    ).toHaveLength(1);
    expect(await h.app.services.store.tenants.find(teamKey(globex.id))).toMatchObject({ status: 'approved', decidedBy: world.operator.userId });
    const approvals = await h.app.services.store.audit.list({ workspaceKey: teamKey(globex.id), actions: ['tenant.approve'], limit: 5 });
    expect(approvals).toHaveLength(1);
    await eventually(() => postsTo(dmTo(world.globexAdmin.userId)).some((call) => String(call.args.text).includes('approved this workspace')));
    expect(await world.answerTo('/connect', 'status', world.globexAdmin)).toContain(connectionIdentifier('slack-prod', globex.id));
  });

  it('a denied workspace is uninstalled and nothing reaches Novu', async () => {
    await start({ INSTALL_POLICY: 'approval' });
    await h.install({ team: acme, userId: world.operator.userId });
    await world.installGrid();
    await h.slack.event({ type: 'app_home_opened', user: world.operator.userId, tab: 'home' }, { teamId: acme.id });
    const home = await eventually(() => h.emulator.homeViews.get(world.operator.userId));
    expect(JSON.stringify(home)).toContain(grid.name);
    const writes = world.novuWrites();
    await h.slack.clickButton({ view: home }, 'tenants.deny:0', world.operator);
    await eventually(() => h.emulator.uninstalled.includes(grid.id), { message: 'apps.uninstall for the org' });
    // Slack answers apps.uninstall before Switchboard deletes its copy of the installation.
    await eventually(async () => (await h.app.services.store.installations.find(enterpriseKey(grid.id))) === undefined, {
      message: 'the org installation deleted',
    });
    expect(await h.app.services.store.tenants.find(enterpriseKey(grid.id))).toMatchObject({ status: 'denied' });
    expect(world.novuWrites()).toBe(writes);
    expect(await world.answerTo('/connect', 'status', world.gridOrgAdmin)).toContain('not installed');
  });

  it('with no operator configured, the page tells whoever runs Switchboard how to approve their workspace', async () => {
    await start({ INSTALL_POLICY: 'approval', OPERATORS: '' });
    const page = await world.installAcme();
    expect(page.html).toContain('data-outcome="pending-approval"');
    expect(page.html).toContain('OPERATORS');
    expect(page.html).toContain(h.actors.installer.userId);
    expect(page.html).toContain('no operator yet, so nobody has been asked');
    expect(page.html).not.toContain('operators were asked');
    expect(world.novuWrites()).toBe(0);
  });
});

describe('INSTALL_POLICY=allowlist', () => {
  it('refuses a workspace that is not listed: nothing is stored, the token is handed back, nothing reaches Novu', async () => {
    await start({ INSTALL_POLICY: 'allowlist', INSTALL_ALLOWLIST: acme.id });
    expect((await world.installAcme()).html).toContain('Connected to Novu');
    const page = await world.installGlobex();
    expect(page.status).toBe(403);
    expect(page.html).toContain('data-reason="not-allowed"');
    expect(await h.app.services.store.installations.find(teamKey(globex.id))).toBeUndefined();
    expect(h.emulator.uninstalled).toContain(globex.id);
    expect(h.novu.requestsTo('POST', '/v1/channel-connections')).toHaveLength(1);
    const [refusal] = await h.app.services.store.audit.list({ workspaceKey: teamKey(globex.id), limit: 1 });
    expect(refusal).toMatchObject({ action: 'tenant.install', outcome: 'refused' });
  });
});
