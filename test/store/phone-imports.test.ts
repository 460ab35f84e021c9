import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logging/logger.js';
import type { ImportRow, Store } from '../../src/store/types.js';
import { teamKey } from '../../src/store/workspace-key.js';
import { storePerTest } from '../kit/store-per-test.js';
import type { EngineKind } from '../kit/stores.js';

/** CSV import runs and their rows, on both engines (see contract.test.ts for where PostgreSQL runs). */
const logger = createLogger({ level: 'silent', format: 'json' });

const row = (rowNumber: number, state: ImportRow['state'], problem: ImportRow['problem'] = null): ImportRow => ({
  rowNumber,
  subscriberId: `sub-${rowNumber}`,
  phone: '+14155550100',
  integration: 'twilio-sms',
  identifier: `phone-twilio-sms-${rowNumber}`,
  state,
  problem,
  detail: problem ? `problem of row ${rowNumber}` : null,
});

describe.each<EngineKind>(['sqlite', 'postgres'])('phone imports on %s', (kind) => {
  let store: Store;
  storePerTest(kind, logger, (opened) => {
    store = opened.store;
  });

  const newRun = (intent = 'view-1:abc') =>
    store.phoneImports.create({
      workspaceKey: teamKey('T1'),
      requestedBy: 'U1',
      intent,
      fileId: 'F1',
      fileName: 'people.csv',
      defaultIntegration: 'twilio-sms',
    });

  it('one run per intent: a repeated submission finds the first', async () => {
    const first = await newRun();
    const again = await newRun();
    expect(first.created).toBe(true);
    expect(again.created).toBe(false);
    expect(again.run.id).toBe(first.run.id);
    expect(first.run).toMatchObject({ status: 'reading', fileName: 'people.csv', defaultIntegration: 'twilio-sms', confirmedBy: null });
    expect((await newRun('view-2:abc')).run.id).not.toBe(first.run.id);
  });

  it('moves through its states only from where it is, and records who confirmed', async () => {
    const { run } = await newRun();
    expect(await store.phoneImports.transition(run.id, ['planned'], 'registering')).toBe(false);
    expect(await store.phoneImports.transition(run.id, ['reading'], 'planned')).toBe(true);
    const confirms = await Promise.all([1, 2].map(() => store.phoneImports.transition(run.id, ['planned'], 'registering', { confirmedBy: 'U2' })));
    expect(confirms.filter(Boolean)).toHaveLength(1);
    expect(await store.phoneImports.get(run.id)).toMatchObject({ status: 'registering', confirmedBy: 'U2' });
    expect(await store.phoneImports.transition(run.id, ['registering'], 'failed', { error: 'gone' })).toBe(true);
    expect((await store.phoneImports.get(run.id))?.error).toBe('gone');
  });

  it('keeps 1,000 rows, pages them by row number, settles each once and counts them', async () => {
    const { run } = await newRun();
    const rows = Array.from({ length: 1000 }, (_, index) =>
      index % 20 === 0 ? row(index + 2, 'problem', index % 40 === 0 ? 'number' : 'duplicate') : row(index + 2, 'ready'),
    );
    await store.phoneImports.saveItems(run.id, rows);
    await store.phoneImports.saveItems(run.id, rows);
    expect(await store.phoneImports.counts(run.id)).toMatchObject({ ready: 950, problem: 50, created: 0 });
    expect(await store.phoneImports.tagCounts(run.id)).toEqual({ number: 25, duplicate: 25 });
    const first = await store.phoneImports.items(run.id, { states: ['ready'], limit: 100 });
    const second = await store.phoneImports.items(run.id, { states: ['ready'], after: first.at(-1)?.rowNumber, limit: 100 });
    expect(first).toHaveLength(100);
    expect(second[0]?.rowNumber).toBeGreaterThan(first.at(-1)?.rowNumber ?? 0);
    expect(await store.phoneImports.settle(run.id, 3, 'created')).toBe(true);
    expect(await store.phoneImports.settle(run.id, 3, 'failed', 'again')).toBe(false);
    expect(await store.phoneImports.settle(run.id, 2, 'created')).toBe(false);
    expect(await store.phoneImports.settle(run.id, 4, 'failed', 'Novu said no')).toBe(true);
    expect(await store.phoneImports.item(run.id, 4)).toMatchObject({ state: 'failed', detail: 'Novu said no', subscriberId: 'sub-4' });
    expect(await store.phoneImports.counts(run.id)).toMatchObject({ ready: 948, created: 1, failed: 1 });
  });

  it('lets one report through per interval', async () => {
    const { run } = await newRun();
    const claims = await Promise.all([1, 2, 3].map(() => store.phoneImports.claimReport(run.id, 1_000, 10_000)));
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await store.phoneImports.claimReport(run.id, 1_000, 10_500)).toBe(false);
    expect(await store.phoneImports.claimReport(run.id, 1_000, 11_000)).toBe(true);
    await store.phoneImports.setMessage(run.id, 'D0ADMIN', '1.000100');
    expect(await store.phoneImports.get(run.id)).toMatchObject({ channelId: 'D0ADMIN', messageTs: '1.000100' });
  });
  it('prunes the runs that ended before the cutoff, with their rows; runs in progress and recent ones stay', async () => {
    const day = 86_400_000;
    const old = 10 * day;
    const cutoff = 20 * day;
    const make = async (intent: string, status: 'done' | 'cancelled' | 'failed' | 'planned' | 'registering' | 'reading', at: number) => {
      const { run } = await store.phoneImports.create({ workspaceKey: teamKey('T1'), requestedBy: 'U1', intent, fileId: 'F1', fileName: `${intent}.csv` }, at);
      await store.phoneImports.saveItems(run.id, [row(2, 'ready'), row(3, 'problem', 'number')]);
      const path: Record<typeof status, Array<'planned' | 'registering' | 'done' | 'cancelled' | 'failed'>> = {
        reading: [],
        planned: ['planned'],
        registering: ['planned', 'registering'],
        done: ['planned', 'registering', 'done'],
        cancelled: ['planned', 'cancelled'],
        failed: ['failed'],
      };
      let from: 'reading' | 'planned' | 'registering' | 'done' | 'cancelled' | 'failed' = 'reading';
      for (const to of path[status]) {
        expect(await store.phoneImports.transition(run.id, [from], to, {}, at)).toBe(true);
        from = to;
      }
      return run.id;
    };
    const gone = await Promise.all([
      make('done-old', 'done', old),
      make('cancelled-old', 'cancelled', old),
      make('failed-old', 'failed', old),
      make('planned-old', 'planned', old),
    ]);
    const kept = await Promise.all([make('done-new', 'done', cutoff + day), make('registering-old', 'registering', old), make('reading-old', 'reading', old)]);
    // More than one batch of ended runs.
    for (let index = 0; index < 60; index += 1) gone.push(await make(`bulk-${index}`, 'done', old));

    expect(await store.phoneImports.pruneFinished(cutoff)).toBe(gone.length);
    for (const id of gone) {
      expect(await store.phoneImports.get(id)).toBeUndefined();
      expect(await store.phoneImports.counts(id)).toMatchObject({ ready: 0, problem: 0 });
    }
    for (const id of kept) {
      expect(await store.phoneImports.get(id)).toBeDefined();
      expect(await store.phoneImports.counts(id)).toMatchObject({ ready: 1, problem: 1 });
    }
    expect(await store.phoneImports.pruneFinished(cutoff)).toBe(0);
  });
});
