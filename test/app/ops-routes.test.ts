import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../kit/harness.js';

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness({ env: { METRICS_TOKEN: 'scrape-token-123' } });
});
afterAll(() => harness.stop());

describe('health, readiness and metrics', () => {
  it('answers /healthz and /readyz, with a request id on every response', async () => {
    const health = await fetch(`${harness.url}/healthz`);
    expect(health.status).toBe(200);
    expect(health.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const ready = await fetch(`${harness.url}/readyz`, { headers: { 'x-request-id': 'trace-abc-12345' } });
    expect(await ready.json()).toEqual({ status: 'ready', store: 'sqlite' });
    expect(ready.headers.get('x-request-id')).toBe('trace-abc-12345');
  });

  it('protects /metrics with the bearer token and counts requests by route and command', async () => {
    expect((await fetch(`${harness.url}/metrics`)).status).toBe(401);
    await harness.install();
    await harness.slack.command('/phone', 'help', harness.actors.member);
    await fetch(`${harness.url}/nope`);
    const metrics = await (await fetch(`${harness.url}/metrics`, { headers: { authorization: 'Bearer scrape-token-123' } })).text();
    expect(metrics).toMatch(/switchboard_http_requests_total\{route="\/slack\/events",status="200"\} [1-9]/);
    expect(metrics).toMatch(/switchboard_http_requests_total\{route="other",status="404"\} 1/);
    expect(metrics).toMatch(/switchboard_slack_requests_total\{kind="command",name="\/phone help",outcome="ok"\} 1/);
    expect(metrics).toContain('switchboard_slack_request_duration_seconds_bucket{le="0.005",kind="command",name="/phone help"}');
  });

  it('says not found for unknown paths', async () => {
    const response = await fetch(`${harness.url}/admin`);
    expect(response.status).toBe(404);
  });
});
