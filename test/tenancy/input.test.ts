import { afterEach, describe, expect, it } from 'vitest';
import { BackendError } from '../../src/http/errors.js';
import { eventually, freePort, type Harness, startHarness } from '../kit/harness.js';
import { startWorld, type World } from './world.js';

/** What people type and vendors say stays text: never a mention, a metric label, another URL, or a frame. */
let h: Harness;
afterEach(() => h?.stop());

async function world(env: Record<string, string> = {}): Promise<World> {
  const started = await startWorld({ env });
  h = started.harness;
  await started.installAcme();
  return started;
}

describe('typed input', () => {
  it('a subscriber ID written as a channel mention and a disguised link reaches the audit channel as plain text', async () => {
    const w = await world({ AUDIT_CHANNEL: 'C0AUDIT0001' });
    h.emulator.channels.add({ id: 'C0AUDIT0001', name: 'switchboard-audit', kind: 'public' });
    const view = await h.openModal('/phone', 'register', 'phone.register', w.acmeAdmin);
    const hostile = '<!channel> <https://evil.example|re-login>';
    await h.slack.submitView(view, { subscriber: hostile, number: '+14155550100', 'phone.integration': 'whatsapp-business' }, w.acmeAdmin);
    const line = await eventually(
      () => h.emulator.callsTo('chat.postMessage').find((call) => call.ok && call.args.channel === 'C0AUDIT0001' && String(call.args.text).includes('+1 415')),
      { message: 'the audit line' },
    );
    const text = String(line.args.text);
    expect(text).not.toContain('<!channel>');
    expect(text).not.toContain('<https://');
    expect(text).toContain('&lt;!channel&gt;');
  });

  it('what follows /phone never becomes a metric label', async () => {
    const w = await world();
    await h.slack.command('/phone', '+14155551900', w.acmeAdmin);
    await h.slack.command('/phone', 'register', w.acmeMember);
    const metrics = await h.app.services.metrics.registry.metrics();
    expect(metrics).not.toContain('4155551900');
    expect(metrics).toContain('name="/phone unknown"');
    expect(metrics).toContain('name="/phone register"');
  });

  it('`..` as an endpoint identifier is refused before anything reaches Novu, from the command, a button, or the client itself', async () => {
    const w = await world();
    const before = h.novu.requests.length;
    expect(await w.answerTo('/phone', 'remove ..', w.acmeAdmin)).toContain('is not an endpoint identifier');
    const responseUrl = h.emulator.newResponseUrl();
    const message = {
      blocks: [
        {
          type: 'actions',
          block_id: 'x',
          elements: [{ type: 'button', action_id: 'phone.remove', value: '..', text: { type: 'plain_text', text: 'Remove' } }],
        },
      ],
    };
    await h.slack.clickButton({ message, responseUrl }, 'phone.remove', w.operator);
    await eventually(() => h.emulator.responsesTo(responseUrl).at(-1));
    const novu = h.app.services.backends.novu;
    for (const identifier of ['..', '.', '', 'a/b', '%2e%2e']) {
      const error = await novu?.deleteEndpoint(identifier).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(BackendError);
      expect((error as BackendError).failure.kind).toBe('invalid-request');
    }
    expect(h.novu.requests.length).toBe(before);
  });
});

describe('pages and metrics', () => {
  it('the install and result pages cannot be framed, sniffed or leak their URL', async () => {
    await world();
    for (const path of ['/slack/install', '/slack/oauth_redirect?error=access_denied&state=x', '/healthz']) {
      const response = await fetch(`${h.url}${path}`, { redirect: 'manual' });
      expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(response.headers.get('x-frame-options')).toBe('DENY');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    }
  });

  it('in production /metrics needs METRICS_TOKEN, compared in constant time', async () => {
    h = await startHarness({ env: { NODE_ENV: 'production' } });
    expect((await fetch(`${h.url}/metrics`)).status).toBe(403);
    await h.stop();
    h = await startHarness({ env: { NODE_ENV: 'production', METRICS_TOKEN: 'scrape-token-0123456789' } });
    expect((await fetch(`${h.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${h.url}/metrics`, { headers: { authorization: 'Bearer scrape-token-01234567' } })).status).toBe(401);
    const ok = await fetch(`${h.url}/metrics`, { headers: { authorization: 'Bearer scrape-token-0123456789' } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('switchboard_http_requests_total');
  });

  it('with METRICS_PORT, /metrics is served there and not on the public port', async () => {
    const metricsPort = await freePort();
    h = await startHarness({ env: { NODE_ENV: 'production', METRICS_PORT: String(metricsPort) } });
    expect((await fetch(`${h.url}/metrics`)).status).toBe(404);
    const ok = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(ok.status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${metricsPort}/slack/install`)).status).toBe(404);
  });
});
