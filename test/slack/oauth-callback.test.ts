import { afterEach, describe, expect, it } from 'vitest';
import { botScopeNames } from '../../src/slack/scopes.js';
import { enterpriseKey, teamKey } from '../../src/store/workspace-key.js';
import { type Harness, startHarness } from '../kit/harness.js';

/**
 * The OAuth callback's edges, through real HTTP: installs that arrive without state (Slack's
 * app-management page), and Slack's own errors.
 */
let h: Harness;
afterEach(async () => {
  await h?.stop();
});

const grid = { id: 'E0GRID0001', name: 'Acme Grid' };
const callback = (query: Record<string, string>) => `${h.url}/slack/oauth_redirect?${new URLSearchParams(query)}`;
const open = async (url: string) => {
  const response = await fetch(url, { redirect: 'manual' });
  return { status: response.status, html: await response.text() };
};

describe('an install that arrives without state', () => {
  it('from an Enterprise Grid admin (org-wide, confirmed by oauth.v2.access) is stored and connected', async () => {
    h = await startHarness();
    const code = h.emulator.codeWithoutState({ enterprise: grid, isEnterpriseInstall: true, userId: 'U0ORGADMIN' }, botScopeNames);
    const page = await open(callback({ code }));
    expect(page.status).toBe(200);
    expect(page.html).toContain('Acme Grid');
    expect(page.html).toContain('Connected to Novu');
    expect(await h.app.services.store.installations.find(enterpriseKey(grid.id))).toBeDefined();
    expect(h.novu.requestsTo('POST', '/v1/channel-connections')).toHaveLength(1);
  });

  it('for a single workspace is refused: nothing stored, nothing sent to Novu, and the token handed back', async () => {
    h = await startHarness();
    const code = h.emulator.codeWithoutState({ team: { id: 'T0TEAM0001', name: 'Acme Ops' }, userId: 'U0SOMEONE' }, botScopeNames);
    const page = await open(callback({ code }));
    expect(page.status).toBe(400);
    expect(page.html).toContain('Start again from the install page');
    expect(await h.app.services.store.installations.find(teamKey('T0TEAM0001'))).toBeUndefined();
    expect(h.novu.requests.filter((request) => request.method !== 'GET')).toHaveLength(0);
    const [revoked] = h.emulator.callsTo('auth.revoke');
    expect(revoked?.ok).toBe(true);
    expect(h.emulator.isTokenValid(revoked?.token ?? '')).toBe(false);
  });

  it('with a code Slack does not know is refused without storing anything', async () => {
    h = await startHarness();
    const page = await open(callback({ code: 'code-forged' }));
    expect(page.status).toBeGreaterThanOrEqual(400);
    expect(page.html).not.toMatch(/\bat [\w.]+ \(/);
    expect(h.emulator.callsTo('auth.revoke')).toHaveLength(0);
  });
});

describe('Slack’s errors on the callback', () => {
  it('are shown as Slack said them, not as a missing code', async () => {
    h = await startHarness();
    const page = await open(callback({ error: 'invalid_team_for_non_distributed_app', state: 'whatever' }));
    expect(page.status).toBe(400);
    expect(page.html).toContain('invalid_team_for_non_distributed_app');
    expect(page.html).not.toMatch(/no authorization code/i);
  });

  it('cancelling says nothing changed; a hostile error value is shown as text', async () => {
    h = await startHarness();
    expect((await open(callback({ error: 'access_denied' }))).html).toContain('Installation cancelled');
    const hostile = await open(callback({ error: '<script>alert(1)</script>' }));
    expect(hostile.html).not.toContain('<script>alert(1)</script>');
    expect(hostile.html).toContain('&lt;script&gt;');
  });
});
