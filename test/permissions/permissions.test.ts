import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditTrail } from '../../src/audit/audit-trail.js';
import { PermissionDenied, Permissions } from '../../src/permissions/permissions.js';
import { buildPolicy } from '../../src/permissions/policy.js';
import { teamKey } from '../../src/store/workspace-key.js';
import { tenantOfKey } from '../../src/tenancy/tenant.js';
import { type Harness, startHarness, team } from '../kit/harness.js';

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
