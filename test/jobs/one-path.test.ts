import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueuedAroundStoredThenTold } from '../../src/jobs/one-path.js';
import type { ButtonArgs } from '../../src/slack/listener-table.js';
import { teamKey } from '../../src/store/workspace-key.js';
import { eventually, type Harness, startHarness, team } from '../kit/harness.js';

/**
 * One path for work a person asks for: a listener may queue a job only inside
 * `JobQueue.storedThenTold`. A listener that queues around it — as the delivery buttons once did —
 * fails the first time anything clicks it, so a new feature cannot get the order wrong unnoticed.
 * The listeners here are registered on the running app's own table and clicked through the real
 * receiver.
 */
let h: Harness;
const kind = 'test.one-path';
const outcomes: string[] = [];

beforeAll(async () => {
  h = await startHarness();
  await h.install();
  const { queue } = h.app.services;
  queue.define({ kind, run: async () => ({ done: true }) });
  const listeners = h.app.slack.listeners;
  const payload = (actor: ButtonArgs['actor'], how: string) => ({ workspaceKey: actor.tenant.key, requestedBy: actor.userId, how });
  listeners.action('test.around', { may: 'delivery.test' }, async ({ actor, action }: ButtonArgs) => {
    try {
      await queue.enqueue(kind, payload(actor, 'around'), { dedupeKey: `${kind}:around:${action.action_ts}` });
      outcomes.push('queued around');
    } catch (error) {
      outcomes.push(error instanceof QueuedAroundStoredThenTold ? `refused: ${error.message}` : `other: ${String(error)}`);
    }
  });
  listeners.action('test.through', { may: 'delivery.test' }, async ({ actor, action }: ButtonArgs) => {
    const stored = await queue.storedThenTold(() => queue.enqueue(kind, payload(actor, 'through'), { dedupeKey: `${kind}:through:${action.action_ts}` }), {
      stored: async () => outcomes.push('told after storing'),
      notStored: async () => outcomes.push('told not stored'),
    });
    // What the stored job queues when it runs belongs to the job, not to the click.
    if (stored) outcomes.push('stored');
  });
});
afterAll(() => h?.stop());

const message = (actionId: string) => ({
  blocks: [{ type: 'actions', elements: [{ type: 'button', action_id: actionId, value: 'x', text: { type: 'plain_text', text: 'x' } }] }],
});
const stored = async () =>
  (await h.app.services.store.jobs.list({ workspaceKey: teamKey(team.id), kinds: [kind], limit: 10 })).map((job) => (job.payload as { how: string }).how);

describe('work a person asks for is queued only through storedThenTold', () => {
  it('a listener that queues a job around it is refused at once, and nothing is stored', async () => {
    await h.slack.clickButton({ message: message('test.around') }, 'test.around', h.actors.admin);
    await eventually(() => outcomes.length === 1, { message: 'the listener to run' });
    expect(outcomes[0]).toMatch(/^refused: A Slack listener queued test\.one-path outside JobQueue\.storedThenTold/);
    expect(await stored()).toEqual([]);
  });

  it('the same job through storedThenTold is stored, then told, and runs', async () => {
    outcomes.length = 0;
    await h.slack.clickButton({ message: message('test.through') }, 'test.through', h.actors.admin);
    await eventually(() => outcomes.length === 2, { message: 'the listener to run' });
    expect(outcomes).toEqual(['told after storing', 'stored']);
    expect(await stored()).toEqual(['through']);
    await eventually(async () => (await h.app.services.store.jobs.list({ kinds: [kind], statuses: ['done'], limit: 10 })).length === 1, {
      message: 'the job to run',
    });
  });

  it('outside a listener (a job, the worker, start-up) the queue takes jobs as before', async () => {
    const { created } = await h.app.services.queue.enqueue(
      kind,
      { workspaceKey: teamKey(team.id), requestedBy: 'U0ADMIN', how: 'worker' },
      { dedupeKey: `${kind}:worker` },
    );
    expect(created).toBe(true);
  });
});
