import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeOutageAnswer } from '../../src/app/slack-app.js';
import { createLogger } from '../../src/logging/logger.js';
import { openPostgresEngine } from '../../src/store/engines/postgres.js';
import { teamKey } from '../../src/store/workspace-key.js';
import { eventually, type Harness, startHarness, team } from '../kit/harness.js';
import { postgresTarget } from '../kit/stores.js';
import { TcpProxy } from '../kit/tcp-proxy.js';

/**
 * Switchboard on PostgreSQL behind a proxy that stalls, resets and drops the database connection,
 * as a network fault or a failover does. Needs a PostgreSQL server (CI has one): the embedded
 * PGlite has no connection to break, so where none runs these tests are skipped, and say why.
 */
const where = await postgresTarget();
const serverUrl = where.kind === 'server' ? where.url : '';
const silent = createLogger({ level: 'silent', format: 'json' });

describe('the store’s answer when a request cannot be looked up', () => {
  it('a command hears "try again"; a form keeps what was typed, the sentence under its first field; anything else is refused with 503', () => {
    const command = storeOutageAnswer({ command: '/phone', text: 'list' }, silent);
    expect(command).toMatchObject({ status: 200, body: { response_type: 'ephemeral', text: expect.stringContaining('cannot reach its database') } });
    const form = storeOutageAnswer(
      { type: 'view_submission', view: { blocks: [{ type: 'section' }, { type: 'input', block_id: 'subscriber' }, { type: 'input', block_id: 'number' }] } },
      silent,
    );
    expect(form).toEqual({ status: 200, body: { response_action: 'errors', errors: { subscriber: expect.stringContaining('Try again') } } });
    expect(storeOutageAnswer({ type: 'view_submission', view: { blocks: [{ type: 'section' }] } }, silent).status).toBe(503);
    expect(storeOutageAnswer({ type: 'block_actions' }, silent).status).toBe(503);
    expect(storeOutageAnswer({ type: 'event_callback' }, silent).status).toBe(503);
  });
});

describe.skipIf(where.kind !== 'server')(
  `PostgreSQL that goes away${where.kind === 'server' ? '' : ` (skipped: ${where.kind === 'pglite' ? where.reason : ''})`}`,
  () => {
    let proxy: TcpProxy;
    let h: Harness;
    beforeAll(async () => {
      const target = new URL(serverUrl);
      proxy = await new TcpProxy(target.hostname, Number(target.port || 5432)).start();
      h = await startHarness({ store: 'postgres', databaseVia: (url) => proxy.rewrite(url) });
      await h.install();
    });
    afterAll(async () => {
      proxy.up();
      await h?.stop();
      await proxy?.stop();
    });

    it('a connection reset during a query fails that query, not the process; the next query works', async () => {
      const engine = openPostgresEngine(proxy.rewrite(serverUrl), silent);
      try {
        await sql`select 1`.execute(engine.db);
        const slow = sql`select pg_sleep(5)`.execute(engine.db);
        await sleep(300);
        proxy.reset();
        await expect(slow).rejects.toThrow();
        const { rows } = await sql<{ answer: number }>`select 41 + 1 as answer`.execute(engine.db);
        expect(rows[0]?.answer).toBe(42);
      } finally {
        await engine.close();
      }
    });

    it('down: /readyz says not ready, known workspaces are still served, a form is told plainly it was not saved; ready again after', async () => {
      // Known before the outage: the workspace's installation and standing are in the caches.
      expect((await h.slack.command('/phone', 'help', h.actors.admin)).status).toBe(200);
      const view = await h.openModal('/phone', 'register', 'phone.register', h.actors.admin);
      h.novu.subscribers.set('sub-outage', { subscriberId: 'sub-outage' });

      proxy.down();
      // The replica hears no other replica's changes now, so its caches hold only what may be stale.
      await eventually(() => h.logs.lines.some((line) => line.includes('installation change listener lost its connection')), {
        message: 'the change listener to notice',
      });
      await eventually(async () => (await fetch(`${h.url}/readyz`)).status === 503, { timeoutMs: 10_000, message: '/readyz not ready' });
      const help = await h.slack.command('/phone', 'help', h.actors.admin);
      expect(help.status).toBe(200);
      expect(JSON.stringify(help.json ?? {})).toContain('/phone register');
      // A workspace this replica never looked up cannot be told apart from one never installed: it hears "try again", not "not installed".
      const stranger = await h.slack.command('/phone', 'help', { userId: 'U0STRANGER', teamId: 'T0NEVERSEEN' });
      expect(stranger.status).toBe(200);
      expect(JSON.stringify(stranger.json)).toContain('cannot reach its database');
      const answer = await h.slack.submitView(
        view,
        { 'phone.integration': 'whatsapp-business', subscriber: 'sub-outage', number: '+12125550199' },
        h.actors.admin,
      );
      expect(answer.status).toBe(200);
      expect(answer.json).toMatchObject({ response_action: 'errors' });
      expect(JSON.stringify(answer.json)).toMatch(/could not save this in time|cannot reach its database/);
      expect([...h.novu.endpoints.values()].some((endpoint) => endpoint.subscriberId === 'sub-outage')).toBe(false);

      proxy.up();
      await eventually(async () => (await fetch(`${h.url}/readyz`)).status === 200, { timeoutMs: 15_000, message: '/readyz ready again' });
      const again = await h.slack.submitView(
        view,
        { 'phone.integration': 'whatsapp-business', subscriber: 'sub-outage', number: '+12125550199' },
        h.actors.admin,
      );
      expect(JSON.stringify(again.json)).not.toContain('could not save');
      await eventually(() => [...h.novu.endpoints.values()].filter((endpoint) => endpoint.subscriberId === 'sub-outage').length === 1, {
        timeoutMs: 15_000,
        message: 'the endpoint, registered once',
      });
    }, 60_000);

    it('stalled: a form is answered within the acknowledgement budget; the request stored late runs once, and its person is told', async () => {
      const view = await h.openModal('/phone', 'register', 'phone.register', h.actors.admin);
      h.novu.subscribers.set('sub-stall', { subscriberId: 'sub-stall' });
      proxy.stall();
      const started = Date.now();
      const answer = await h.slack.submitView(
        view,
        { 'phone.integration': 'whatsapp-business', subscriber: 'sub-stall', number: '+12125550188' },
        h.actors.admin,
      );
      const took = Date.now() - started;
      expect(answer.status).toBe(200);
      expect(JSON.stringify(answer.json)).toContain('could not save this in time');
      // Slack waits three seconds for the answer.
      expect(took).toBeLessThan(3_000);
      await sleep(1_000);
      proxy.up();
      // The write that was on its way when the answer went out lands, and the job runs once; the person hears by DM.
      await eventually(() => [...h.novu.endpoints.values()].filter((endpoint) => endpoint.subscriberId === 'sub-stall').length === 1, {
        timeoutMs: 30_000,
        message: 'the late request, run',
      });
      await eventually(
        () =>
          h.emulator
            .callsTo('chat.postMessage')
            .some((call) => call.ok && String(call.args.text).includes('sub-stall') && String(call.args.text).includes('is registered')),
        { timeoutMs: 15_000, message: 'the direct message' },
      );
      const jobs = await h.app.services.store.jobs.list({ workspaceKey: teamKey(team.id), kinds: ['novu.endpoint.register'], limit: 50 });
      expect(jobs.filter((job) => JSON.stringify(job.payload).includes('sub-stall'))).toHaveLength(1);
    }, 60_000);
  },
);
