/**
 * What "stored, then told" costs. A form that queues work (`/phone register`) is answered only
 * after its job is committed; its ack latency is measured against the bare Bolt app acknowledging
 * the same submission. And a finished job records its follow-up as pending in the same update as
 * its outcome, then delivers it: a job's finish is measured with a follow-up and without.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { JobQueue } from '../src/jobs/queue.js';
import type { Logger } from '../src/logging/logger.js';
import type { Store } from '../src/store/types.js';
import type { FakeNovu } from '../test/kit/backends/novu.js';
import type { EmulatedView, SlackEmulator } from '../test/kit/slack-emulator.js';
import { type Actor, SlackSender } from '../test/kit/slack-sender.js';
import { percentile } from './common.js';

/** Where the register form is submitted: the app's URL, and (for the bare app) the form Switchboard drew. */
export interface FormTarget {
  url: string;
  actor: Actor;
}

/** Opens `/phone register` on Switchboard and returns the form, to be submitted to any app. */
export async function openRegisterForm(emulator: SlackEmulator, target: FormTarget, signingSecret: string): Promise<EmulatedView> {
  const sender = new SlackSender(target.url, signingSecret, emulator);
  const opened = await sender.command('/phone', 'register', target.actor);
  const deadline = Date.now() + 5_000;
  for (;;) {
    const view = emulator.viewOpenedBy(opened.triggerId);
    if (view) return view;
    if (Date.now() > deadline) throw new Error(`No register form opened at ${target.url}`);
    await sleep(10);
  }
}

/**
 * Ack times of `count` register submissions, one after another, each a new registration (a new
 * job committed before the ack). Every answer must be the form's "Registering…": a submission
 * answered any other way would make the figure meaningless.
 */
export async function formAckLatency(
  parts: { emulator: SlackEmulator; novu: FakeNovu; signingSecret: string },
  target: FormTarget,
  form: EmulatedView,
  run: { tag: string; count: number },
): Promise<number[]> {
  const sender = new SlackSender(target.url, parts.signingSecret, parts.emulator);
  const latencies: number[] = [];
  for (let index = 0; index < run.count; index += 1) {
    const subscriberId = `bench-${run.tag}-${index}`;
    parts.novu.subscribers.set(subscriberId, { subscriberId });
    const values = { 'phone.integration': 'whatsapp-business', subscriber: subscriberId, number: `+1212555${String(1000 + (index % 9000))}` };
    const sent = performance.now();
    const answer = await sender.submitView(form, values, target.actor);
    latencies.push(performance.now() - sent);
    const action = (answer.json as { response_action?: string } | undefined)?.response_action;
    if (answer.status !== 200 || action !== 'update') throw new Error(`${target.url} answered a submission with ${answer.status} ${answer.text.slice(0, 200)}`);
    // The job runs after the ack; a short pause keeps one submission's run out of the next one's ack.
    await sleep(15);
  }
  return latencies;
}

export interface QueueCosts {
  /** Storing a request for a person waiting (`accept`): what the ack waits for. */
  accept: number[];
  /** Claim, run (nothing), record the outcome with its follow-up pending, deliver it (one effect), mark it delivered. */
  finishWithFollowUp: number[];
  /** The same job without a follow-up: claim, run, record the outcome. */
  finishWithout: number[];
}

/** `count` jobs of each kind through the real queue on `store`, interleaved, one at a time. */
export async function queueCosts(store: Store, logger: Logger, count: number): Promise<QueueCosts> {
  const channels = { audit: async () => undefined, directMessage: async () => true };
  const queue = new JobQueue(store, { maxAttempts: 3, retryBaseMs: 200, leaseMs: 30_000 }, logger, undefined, channels);
  queue.define({ kind: 'bench.with-follow-up', run: async () => ({ done: true }), onFinished: ({ once }) => once('told', async () => true) });
  queue.define({ kind: 'bench.without-follow-up', run: async () => ({ done: true }) });
  const costs: QueueCosts = { accept: [], finishWithFollowUp: [], finishWithout: [] };
  const payload = { workspaceKey: 'team:T0BENCHQ' as const, requestedBy: 'U0BENCHADMIN' };
  for (let index = 0; index < count; index += 1) {
    for (const [kind, finished] of [
      ['bench.with-follow-up', costs.finishWithFollowUp],
      ['bench.without-follow-up', costs.finishWithout],
    ] as const) {
      const stored = performance.now();
      const accepted = await queue.accept(kind, payload, `${kind}:${index}`);
      const ran = performance.now();
      const outcome = await accepted.run();
      finished.push(performance.now() - ran);
      if (outcome.status !== 'done') throw new Error(`A benchmark job ended ${outcome.status}`);
      if (kind === 'bench.with-follow-up') costs.accept.push(ran - stored);
    }
  }
  return costs;
}

/** p50 and p99 of a sample, to the hundredth of a millisecond. */
export function spread(values: number[]): { p50: number; p99: number } {
  return { p50: Math.round(percentile(values, 50) * 100) / 100, p99: Math.round(percentile(values, 99) * 100) / 100 };
}

/** What the benchmark's run hands this section: its apps, helpers and the figure table. */
export interface StoredThenToldRun {
  emulator: SlackEmulator;
  novu: FakeNovu;
  signingSecret: string;
  logger: Logger;
  quick: boolean;
  rounds: number;
  /** Switchboard on SQLite, with T0BENCH installed, and the bare Bolt app. */
  sqlite: FormTarget;
  bare: { url: string };
  /** Switchboard on PostgreSQL, started and installed on demand; undefined when no server answers. */
  postgres: () => Promise<{ target: FormTarget; store: () => Promise<Store> } | undefined>;
  /** A fresh SQLite store of its own, for the queue's costs. */
  sqliteStore: () => Promise<Store>;
  record(figure: { name: string; unit: string; switchboard: number; bare?: number; goal: string; met?: boolean; note?: string }): void;
}

/** The section: ack latency of a submission stored before its answer, per store, against bare Bolt; then the queue's own costs. */
export async function storedThenToldFigures(run: StoredThenToldRun): Promise<void> {
  const parts = { emulator: run.emulator, novu: run.novu, signingSecret: run.signingSecret };
  const count = run.quick ? 60 : 150;
  const form = await openRegisterForm(run.emulator, run.sqlite, run.signingSecret);
  const postgres = await run.postgres();
  const postgresForm = postgres && (await openRegisterForm(run.emulator, postgres.target, run.signingSecret));
  const acks: Record<'bare' | 'sqlite' | 'postgres', number[]> = { bare: [], sqlite: [], postgres: [] };
  for (let round = 0; round < run.rounds; round += 1) {
    acks.bare.push(...(await formAckLatency(parts, { url: run.bare.url, actor: run.sqlite.actor }, form, { tag: `bare-${round}`, count })));
    acks.sqlite.push(...(await formAckLatency(parts, run.sqlite, form, { tag: `sqlite-${round}`, count })));
    if (postgres && postgresForm) acks.postgres.push(...(await formAckLatency(parts, postgres.target, postgresForm, { tag: `pg-${round}`, count })));
  }
  const bare = spread(acks.bare);
  for (const [store, label] of [
    ['sqlite', 'SQLite'],
    ['postgres', 'PostgreSQL'],
  ] as const) {
    const name = `form that queues work (/phone register): ack, job stored first, ${label}`;
    if (acks[store].length === 0) {
      run.record({ name: `${name}, p99`, unit: 'ms', switchboard: Number.NaN, goal: 'reported', note: 'skipped: no PostgreSQL server answered' });
      continue;
    }
    const measured = spread(acks[store]);
    run.record({ name: `${name}, p50`, unit: 'ms', switchboard: measured.p50, bare: bare.p50, goal: 'reported' });
    run.record({
      name: `${name}, p99`,
      unit: 'ms',
      switchboard: measured.p99,
      bare: bare.p99,
      goal: '< 1500 ms (the store’s budget)',
      met: measured.p99 < 1_500,
    });
  }
  const jobs = run.quick ? 300 : 1_000;
  for (const [label, open] of [
    ['SQLite', run.sqliteStore],
    ['PostgreSQL', postgres?.store],
  ] as const) {
    if (!open) continue;
    const store = await open();
    try {
      const costs = await queueCosts(store, run.logger, jobs);
      const accept = spread(costs.accept);
      const withFollowUp = spread(costs.finishWithFollowUp);
      const without = spread(costs.finishWithout);
      run.record({
        name: `storing a request before its answer (accept), ${label}, p50`,
        unit: 'ms',
        switchboard: accept.p50,
        goal: 'reported',
        note: `p99 ${accept.p99} ms`,
      });
      for (const point of ['p50', 'p99'] as const) {
        const ratio = Math.round((withFollowUp[point] / without[point]) * 100) / 100;
        run.record({
          name: `job finish with its follow-up recorded and delivered, ${label}, ${point}`,
          unit: 'ms',
          switchboard: withFollowUp[point],
          goal: 'reported',
          note: `without a follow-up ${without[point]} ms (×${ratio})`,
        });
      }
    } finally {
      await store.close();
    }
  }
}
