import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditTrail } from '../../src/audit/audit-trail.js';
import { PermissionDenied, Permissions } from '../../src/permissions/permissions.js';
import { buildPolicy } from '../../src/permissions/policy.js';
import { teamKey } from '../../src/store/workspace-key.js';
import { tenantOfKey } from '../../src/tenancy/tenant.js';
import { eventually, type Harness, startHarness, team } from '../kit/harness.js';

let harness: Harness;
let client: WebClient;
let audit: AuditTrail;

beforeAll(async () => {
  harness = await startHarness();
  await harness.install();
  const token = harness.emulator.latestBotToken(team.id);
  client = new WebClient(token, { slackApiUrl: harness.emulator.apiUrl, retryConfig: { retries: 0 } });
  audit = new AuditTrail(harness.app.services.store, harness.logger, undefined);
});
afterAll(() => harness.stop());

const actor = (userId: string) => ({ userId, tenant: tenantOfKey(teamKey(team.id)) });

describe('permissions', () => {
  it('lets operators do everything, without asking Slack', async () => {
    const permissions = new Permissions(buildPolicy({}), ['U0OPERATOR'], audit, harness.logger, { client: { slackApiUrl: harness.emulator.apiUrl } });
    const before = harness.emulator.callsTo('users.info').length;
    expect(await permissions.allows(actor('U0OPERATOR'), 'numbers.provision', client)).toBe(true);
    expect(await permissions.allows(actor('U0OPERATOR'), 'connection.write', client)).toBe(true);
    expect(harness.emulator.callsTo('users.info').length).toBe(before);
  });

  it('asks Slack whether someone is a workspace admin, and remembers the answer briefly', async () => {
    const permissions = new Permissions(buildPolicy({}), [], audit, harness.logger, { client: { slackApiUrl: harness.emulator.apiUrl } });
    const before = harness.emulator.callsTo('users.info').length;
    expect(await permissions.allows(actor('U0ADMIN'), 'connection.write', client)).toBe(true);
    expect(await permissions.allows(actor('U0ADMIN'), 'endpoints.write', client)).toBe(true);
    expect(await permissions.allows(actor('U0MEMBER'), 'connection.write', client)).toBe(false);
    expect(harness.emulator.callsTo('users.info').length).toBe(before + 2);
  });

  it('keeps provisioning for operators by default, even for admins; the policy can change that', async () => {
    const strict = new Permissions(buildPolicy({}), [], audit, harness.logger, { client: { slackApiUrl: harness.emulator.apiUrl } });
    expect(await strict.allows(actor('U0ADMIN'), 'numbers.provision', client)).toBe(false);
    const relaxed = new Permissions(buildPolicy({ 'numbers.provision': 'admins' }), [], audit, harness.logger, {
      client: { slackApiUrl: harness.emulator.apiUrl },
    });
    expect(await relaxed.allows(actor('U0ADMIN'), 'numbers.provision', client)).toBe(true);
    expect(await relaxed.allows(actor('U0MEMBER'), 'connection.read', client)).toBe(true);
  });

  it('a refusal says whom to ask: the installer once Slack has said they are an admin, else the admins; the operators by mention', async () => {
    const options = { client: { slackApiUrl: harness.emulator.apiUrl }, installerOf: async () => 'U0INSTALLER' };
    const permissions = new Permissions(buildPolicy({}), ['U0OPERATOR'], audit, harness.logger, options);
    const first = await permissions.refusal(actor('U0MEMBER'), 'endpoints.write', client);
    // The installer's role was not known: the refusal did not wait for Slack, and asked for next time.
    expect(first?.ask?.text).toBe('Ask one of your workspace admins, or a Switchboard operator (<@U0OPERATOR>).');
    // Once Slack has answered that lookup, the installer is named.
    const second = await eventually(async () => {
      const refusal = await permissions.refusal(actor('U0MEMBER'), 'endpoints.write', client);
      return refusal?.ask?.text.includes('U0INSTALLER') ? refusal : undefined;
    });
    expect(second.ask?.text).toBe('Ask <@U0INSTALLER> or another workspace admin, or a Switchboard operator (<@U0OPERATOR>).');
    const operatorsOnly = await permissions.refusal(actor('U0ADMIN'), 'numbers.provision', client);
    expect(operatorsOnly?.ask?.text).toBe('Ask a Switchboard operator (<@U0OPERATOR>).');
    const none = new Permissions(buildPolicy({}), [], audit, harness.logger, options);
    expect((await none.refusal(actor('U0ADMIN'), 'numbers.provision', client))?.ask?.text).toBe(
      'No Switchboard operator is set up yet (the `OPERATORS` setting).',
    );
    // A member who is not an admin is never named as someone to ask.
    const memberInstalled = new Permissions(buildPolicy({}), [], audit, harness.logger, { ...options, installerOf: async () => 'U0MEMBER' });
    await memberInstalled.whoCanHelp(actor('U0OTHER'), 'admins', client, { wait: true });
    expect((await memberInstalled.whoCanHelp(actor('U0OTHER'), 'admins', client)).text).toBe('Ask one of your workspace admins.');
  });

  it('refuses with a message naming who may do it, and audits the refusal', async () => {
    const permissions = new Permissions(buildPolicy({}), [], audit, harness.logger, { client: { slackApiUrl: harness.emulator.apiUrl } });
    const refusal = await permissions.refusal(actor('U0MEMBER'), 'endpoints.write', client, '/phone register');
    expect(refusal).toBeInstanceOf(PermissionDenied);
    expect((refusal as Error).message).toBe(
      'Only workspace admins and owners (org admins and owners for an org-wide install), and Switchboard operators may register or remove phone endpoints.',
    );
    const [entry] = await harness.app.services.store.audit.list({ workspaceKey: teamKey(team.id), limit: 1 });
    expect(entry).toMatchObject({ action: 'endpoints.write', outcome: 'refused', userId: 'U0MEMBER', target: '/phone register' });
  });

  it('fails closed when Slack cannot say who is an admin', async () => {
    const permissions = new Permissions(buildPolicy({}), [], audit, harness.logger, { client: { slackApiUrl: harness.emulator.apiUrl } });
    harness.emulator.failNext('users.info', 'internal_error');
    expect(await permissions.allows(actor('U0ADMIN'), 'connection.write', client)).toBe(false);
  });
});
