import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BackendError } from '../../src/http/errors.js';
import { type JobFinish, JobQueue, TerminalJobError } from '../../src/jobs/queue.js';
import { createLogger } from '../../src/logging/logger.js';
import { eventually } from '../kit/harness.js';
import { openTestStore, type TestStore } from '../kit/stores.js';

const logger = createLogger({ level: 'silent', format: 'json' });

let testStore: TestStore;
let queue: JobQueue;
let finishes: JobFinish[];
let script: (() => Promise<unknown>)[];
let runs: number;

beforeEach(async () => {
  testStore = await openTestStore('sqlite', logger);
  queue = new JobQueue(testStore.store, { maxAttempts: 3, retryBaseMs: 20, leaseMs: 2_000, pollMs: 20 }, logger);
  finishes = [];
  script = [];
  runs = 0;
  queue.define({
    kind: 'test.write',
    run: async () => {
      runs += 1;
      const step = script.shift();
      return step ? step() : { written: true };
    },
    onFinished: async (finish) => {
      finishes.push(finish);
    },
  });
});
afterEach(async () => {
  await queue.stop();
  await testStore.cleanup();
});

const unavailable = () => Promise.reject(new BackendError({ backend: 'novu', operation: 'x', kind: 'http', status: 503, attempts: 1 }));

describe('the job queue', () => {
  it('runs a job inline and hands the outcome to the waiting person (no follow-up message needed)', async () => {
    const { job } = await queue.enqueue('test.write', { n: 1 }, { dedupeKey: 'a' });
    const outcome = await queue.runNow(job.id, { waitMs: 1_000 });
    expect(outcome).toMatchObject({ status: 'done', result: { written: true } });
    expect(finishes).toHaveLength(1);
    expect(finishes[0]?.deliveredInline).toBe(true);
    expect((await testStore.store.jobs.get(job.id))?.status).toBe('done');
  });

  it('the background worker runs at most `concurrency` jobs at once, and all of them', async () => {
    const limited = new JobQueue(testStore.store, { maxAttempts: 3, retryBaseMs: 20, leaseMs: 2_000, pollMs: 20, concurrency: 3 }, logger);
    let running = 0;
    let most = 0;
    let done = 0;
    limited.define({
      kind: 'test.slow',
      run: async () => {
        running += 1;
        most = Math.max(most, running);
        await new Promise((resolve) => setTimeout(resolve, 30));
        running -= 1;
        done += 1;
        return {};
      },
    });
    for (let index = 0; index < 20; index += 1) await limited.enqueue('test.slow', {}, { dedupeKey: `slow-${index}` });
    limited.start();
    await eventually(() => done === 20, { timeoutMs: 10_000 });
    await limited.stop();
    expect(most).toBe(3);
  });

  it('a duplicate intent finds the finished job instead of writing again', async () => {
    const first = await queue.enqueue('test.write', {}, { dedupeKey: 'same' });
    await queue.runNow(first.job.id, { waitMs: 1_000 });
    const second = await queue.enqueue('test.write', {}, { dedupeKey: 'same' });
    expect(second.created).toBe(false);
    expect(await queue.runNow(second.job.id, { waitMs: 500 })).toMatchObject({ status: 'done', result: { written: true } });
    expect(runs).toBe(1);
  });

  it('retries a retryable failure in the background and tells people when it finally succeeds', async () => {
    script = [unavailable];
    const { job } = await queue.enqueue('test.write', {}, { dedupeKey: 'b' });
    const outcome = await queue.runNow(job.id, { waitMs: 1_000 });
    expect(outcome.status).toBe('queued');
    queue.start();
    await eventually(() => finishes.length === 1, { message: 'the retry' });
    expect(finishes[0]).toMatchObject({ outcome: { status: 'done' }, deliveredInline: false });
    expect(runs).toBe(2);
  });

  it('gives up into a dead state after the last attempt, and runs again exactly once when revived', async () => {
    script = [unavailable, unavailable, unavailable];
    const { job } = await queue.enqueue('test.write', {}, { dedupeKey: 'c' });
    queue.start();
    await eventually(() => finishes.length === 1, { message: 'giving up' });
    expect(finishes[0]?.outcome).toEqual({ status: 'failed', error: 'Novu answered 503 (x)' });
    expect(await testStore.store.jobs.get(job.id)).toMatchObject({ status: 'dead', attempts: 3 });
    expect(runs).toBe(3);
    expect(await queue.revive(job.id)).toBe(true);
    await eventually(() => finishes.length === 2, { message: 'the revived run' });
    expect(runs).toBe(4);
    expect(await testStore.store.jobs.get(job.id)).toMatchObject({ status: 'done' });
  });

  it('does not retry a terminal failure', async () => {
    script = [() => Promise.reject(new TerminalJobError('the workspace is gone'))];
    const { job } = await queue.enqueue('test.write', {}, { dedupeKey: 'd' });
    expect(await queue.runNow(job.id, { waitMs: 1_000 })).toMatchObject({ status: 'failed', error: 'the workspace is gone' });
    queue.start();
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(runs).toBe(1);
  });

  it('stops waiting after the inline wait, and then the person is told later', async () => {
    script = [() => new Promise((resolve) => setTimeout(() => resolve({ slow: true }), 300))];
    const { job } = await queue.enqueue('test.write', {}, { dedupeKey: 'e' });
    expect((await queue.runNow(job.id, { waitMs: 50 })).status).toBe('queued');
    await eventually(() => finishes.length === 1, { message: 'the slow job' });
    expect(finishes[0]).toMatchObject({ outcome: { status: 'done', result: { slow: true } }, deliveredInline: false });
  });

  it('waits for running jobs when stopping', async () => {
    script = [() => new Promise((resolve) => setTimeout(() => resolve({ finished: true }), 200))];
    await queue.enqueue('test.write', {}, { dedupeKey: 'f' });
    queue.start();
    await eventually(() => runs === 1, { message: 'the job to start' });
    await queue.stop();
    expect(finishes).toHaveLength(1);
  });
});

describe('follow-ups', () => {
  /** A second kind whose follow-up has two effects (a DM and an audit line), counted per delivery; `failDm` fails the DM that many times. */
  function followed(target: JobQueue, counts: { dm: number; audit: number; tries: number }, failDm = { times: 0, answer: 'throw' as 'throw' | 'false' }) {
    target.define({
      kind: 'test.followed',
      run: async () => ({ ok: true }),
      onFinished: async ({ once }) => {
        counts.tries += 1;
        await once('audit', async () => {
          counts.audit += 1;
        });
        await once('dm:U1', async () => {
          if (failDm.times > 0) {
            failDm.times -= 1;
            if (failDm.answer === 'false') return false;
            throw new Error('Slack did not answer');
          }
          counts.dm += 1;
          return true;
        });
      },
    });
  }

  it('the outcome and its follow-up are stored together; the follow-up is done once delivered', async () => {
    const counts = { dm: 0, audit: 0, tries: 0 };
    followed(queue, counts);
    const { job } = await queue.enqueue('test.followed', {}, { dedupeKey: 'f1' });
    await queue.runNow(job.id, { waitMs: 1_000 });
    expect(counts).toEqual({ dm: 1, audit: 1, tries: 1 });
    expect(await testStore.store.jobs.get(job.id)).toMatchObject({ status: 'done', followUp: 'done' });
  });

  it('a follow-up whose DM fails (thrown, or not taken by Slack) is tried again later; the audit line it sent is not sent again', async () => {
    for (const answer of ['throw', 'false'] as const) {
      const counts = { dm: 0, audit: 0, tries: 0 };
      const kindQueue = new JobQueue(testStore.store, { maxAttempts: 3, retryBaseMs: 20, leaseMs: 2_000, pollMs: 20 }, logger);
      followed(kindQueue, counts, { times: 2, answer });
      const { job } = await kindQueue.enqueue('test.followed', {}, { dedupeKey: `f2-${answer}` });
      kindQueue.start();
      await eventually(() => counts.dm === 1, { timeoutMs: 10_000, message: `the DM after two failures (${answer})` });
      await eventually(async () => (await testStore.store.jobs.get(job.id))?.followUp === 'done', { message: 'the follow-up done' });
      await kindQueue.stop();
      expect(counts).toEqual({ dm: 1, audit: 1, tries: 3 });
    }
  });

  it('a follow-up left pending by a worker that died is delivered by another after the lease, once', async () => {
    const { job } = await queue.enqueue('test.write', { n: 1 }, { dedupeKey: 'f3' });
    // A worker claims the job, records it done with its follow-up pending, and dies before delivering it.
    const claimed = await testStore.store.jobs.claim(job.id, 'worker-dead', 200);
    expect(claimed).toBeDefined();
    expect(await testStore.store.jobs.complete(job.id, 'worker-dead', { written: true }, { leaseMs: 200 })).toBe(true);
    expect(await testStore.store.jobs.get(job.id)).toMatchObject({ status: 'done', followUp: 'pending' });
    queue.start();
    await eventually(() => finishes.length === 1, { timeoutMs: 5_000, message: 'the follow-up, delivered by the live worker' });
    expect(finishes[0]).toMatchObject({ outcome: { status: 'done', result: { written: true } }, deliveredInline: false });
    await eventually(async () => (await testStore.store.jobs.get(job.id))?.followUp === 'done', { message: 'the follow-up done' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(finishes).toHaveLength(1);
    expect(runs).toBe(0);
  });

  it('a follow-up still within its lease is left to the worker delivering it', async () => {
    const { job } = await queue.enqueue('test.write', {}, { dedupeKey: 'f4' });
    await testStore.store.jobs.claim(job.id, 'worker-busy', 60_000);
    await testStore.store.jobs.complete(job.id, 'worker-busy', {}, { leaseMs: 60_000 });
    queue.start();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(finishes).toHaveLength(0);
    expect(await testStore.store.jobs.claimFollowUp('another', 1_000)).toBeUndefined();
  });

  it('finished jobs are pruned, but not while their follow-up is pending', async () => {
    const { job: delivered } = await queue.enqueue('test.write', {}, { dedupeKey: 'f5' });
    await queue.runNow(delivered.id, { waitMs: 1_000 });
    const { job: pending } = await queue.enqueue('test.write', {}, { dedupeKey: 'f6' });
    await testStore.store.jobs.claim(pending.id, 'worker-dead', 60_000);
    await testStore.store.jobs.complete(pending.id, 'worker-dead', {}, { leaseMs: 60_000 });
    expect(await testStore.store.jobs.pruneFinished(Date.now() + 1_000)).toBe(1);
    expect(await testStore.store.jobs.get(delivered.id)).toBeUndefined();
    expect(await testStore.store.jobs.get(pending.id)).toMatchObject({ followUp: 'pending' });
  });
});
