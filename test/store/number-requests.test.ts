import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logging/logger.js';
import type { NewNumberRequest, Store } from '../../src/store/types.js';
import { teamKey } from '../../src/store/workspace-key.js';
import { storePerTest } from '../kit/store-per-test.js';
import type { EngineKind, TestStore } from '../kit/stores.js';

/** Requests for numbers, on both engines: one decision per request, none after it expires. */
const logger = createLogger({ level: 'silent', format: 'json' });

const hour = 3_600_000;

function newRequest(id: string, overrides: Partial<NewNumberRequest> = {}): NewNumberRequest {
  return {
    id,
    submission: `view-${id}:digest`,
    workspaceKey: teamKey('T1'),
    requestedBy: 'U0ADMIN',
    backend: 'vapi',
    payload: { body: { provider: 'vapi', name: 'Front desk', sipUri: 'sip:front@sip.vapi.ai' } },
    expiresAt: 10 * hour,
    ...overrides,
  };
}

describe.each<EngineKind>(['sqlite', 'postgres'])('number requests on %s', (kind) => {
  let testStore: TestStore;
  let store: Store;
  storePerTest(kind, logger, (opened) => {
    testStore = opened;
    store = opened.store;
  });

  it('records a pending request with its payload; the same submission again finds the first', async () => {
    const first = await store.numberRequests.create(newRequest('r1'), 1_000);
    expect(first.created).toBe(true);
    expect(first.request).toMatchObject({ id: 'r1', status: 'pending', requestedAt: 1_000, expiresAt: 10 * hour, decidedBy: null, backend: 'vapi' });
    expect(first.request.payload).toEqual(newRequest('r1').payload);
    const again = await store.numberRequests.create({ ...newRequest('r2'), submission: 'view-r1:digest' }, 2_000);
    expect(again).toMatchObject({ created: false, request: { id: 'r1' } });
    expect(await store.numberRequests.get('r2')).toBeUndefined();
  });

  it('is decided once: a second decision, of either kind, changes nothing', async () => {
    await store.numberRequests.create(newRequest('r1'), 1_000);
    expect(await store.numberRequests.decide('r1', 'approved', 'U0OPERATOR', 2_000)).toMatchObject({
      status: 'approved',
      decidedBy: 'U0OPERATOR',
      decidedAt: 2_000,
    });
    expect(await store.numberRequests.decide('r1', 'denied', 'U0OTHER', 3_000)).toBeUndefined();
    expect(await store.numberRequests.decide('r1', 'approved', 'U0OTHER', 3_000)).toBeUndefined();
    expect(await store.numberRequests.get('r1')).toMatchObject({ status: 'approved', decidedBy: 'U0OPERATOR' });
    expect(await store.numberRequests.decide('missing', 'approved', 'U0OPERATOR')).toBeUndefined();
  });

  it('two deciders at once, on two connections: exactly one wins', async () => {
    await store.numberRequests.create(newRequest('r1'), 1_000);
    const other = await testStore.openAnother();
    const results = await Promise.all([
      store.numberRequests.decide('r1', 'approved', 'U0OPERATOR', 2_000),
      other.numberRequests.decide('r1', 'denied', 'U0OPERTWO', 2_000),
      store.numberRequests.decide('r1', 'approved', 'U0OPERATOR', 2_000),
    ]);
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('an expired request cannot be decided; it is marked expired once, and leaves the pending list', async () => {
    await store.numberRequests.create(newRequest('r1', { expiresAt: 5_000 }), 1_000);
    await store.numberRequests.create(newRequest('r2', { expiresAt: 50_000 }), 1_000);
    expect(await store.numberRequests.expire('r1', 4_999)).toBeUndefined();
    expect((await store.numberRequests.pending({ limit: 10 }, 4_999)).map((request) => request.id).sort()).toEqual(['r1', 'r2']);
    expect(await store.numberRequests.decide('r1', 'approved', 'U0OPERATOR', 5_000)).toBeUndefined();
    expect((await store.numberRequests.pending({ limit: 10 }, 5_000)).map((request) => request.id)).toEqual(['r2']);
    expect(await store.numberRequests.expire('r1', 5_000)).toMatchObject({ status: 'expired', decidedBy: null });
    expect(await store.numberRequests.expire('r1', 6_000)).toBeUndefined();
    expect(await store.numberRequests.decide('r1', 'approved', 'U0OPERATOR', 1_000)).toBeUndefined();
    expect(await store.numberRequests.expire('r2', 6_000)).toBeUndefined();
  });

  it('lists a tenant’s pending requests, or every tenant’s, newest first', async () => {
    await store.numberRequests.create(newRequest('a1'), 1_000);
    await store.numberRequests.create(newRequest('a2'), 2_000);
    await store.numberRequests.create(newRequest('b1', { workspaceKey: teamKey('T2') }), 3_000);
    await store.numberRequests.decide('a2', 'denied', 'U0OPERATOR', 4_000);
    expect((await store.numberRequests.pending({ workspaceKey: teamKey('T1'), limit: 10 }, 4_000)).map((request) => request.id)).toEqual(['a1']);
    expect((await store.numberRequests.pending({ limit: 10 }, 4_000)).map((request) => request.id)).toEqual(['b1', 'a1']);
    expect((await store.numberRequests.pending({ limit: 1 }, 4_000)).map((request) => request.id)).toEqual(['b1']);
  });

  it('approves a pending request with its job in one step: a second approval, an expired or a denied request stores no job', async () => {
    const job = (id: string) => ({ kind: 'vapi.number.create', dedupeKey: `create:${id}`, payload: { id }, maxAttempts: 3 });
    await store.numberRequests.create(newRequest('r1'), 1_000);
    const approved = await store.numberRequests.approve('r1', 'U0OPERATOR', job('r1'), 2_000);
    expect(approved?.request).toMatchObject({ status: 'approved', decidedBy: 'U0OPERATOR', provisionJobId: approved?.job.id });
    expect(approved?.job).toMatchObject({ kind: 'vapi.number.create', status: 'pending', payload: { id: 'r1' } });
    expect(await store.numberRequests.approve('r1', 'U0OTHER', job('r1-again'), 3_000)).toBeUndefined();
    expect(await store.jobs.findByDedupeKey('create:r1-again')).toBeUndefined();

    await store.numberRequests.create(newRequest('r2', { expiresAt: 5_000 }), 1_000);
    expect(await store.numberRequests.approve('r2', 'U0OPERATOR', job('r2'), 6_000)).toBeUndefined();
    await store.numberRequests.create(newRequest('r3'), 1_000);
    await store.numberRequests.decide('r3', 'denied', 'U0OPERATOR', 2_000);
    expect(await store.numberRequests.approve('r3', 'U0OPERATOR', job('r3'), 3_000)).toBeUndefined();
    expect(await store.jobs.findByDedupeKey('create:r2')).toBeUndefined();
    expect(await store.jobs.findByDedupeKey('create:r3')).toBeUndefined();
  });

  it('retention deletes requests settled before the cutoff, and pending ones that lapsed before it; nothing else', async () => {
    const day = 24 * hour;
    const create = (id: string, requestedAt: number, expiresAt: number) => store.numberRequests.create(newRequest(id, { expiresAt }), requestedAt);
    await create('approved-old', 1 * day, 4 * day);
    await store.numberRequests.decide('approved-old', 'approved', 'U0OPERATOR', 2 * day);
    await create('denied-old', 1 * day, 4 * day);
    await store.numberRequests.decide('denied-old', 'denied', 'U0OPERATOR', 2 * day);
    await create('expired-old', 1 * day, 2 * day);
    await store.numberRequests.expire('expired-old', 3 * day);
    await create('lapsed-old', 1 * day, 2 * day);
    await create('approved-new', 1 * day, 40 * day);
    await store.numberRequests.decide('approved-new', 'approved', 'U0OPERATOR', 20 * day);
    await create('expired-new', 1 * day, 6 * day);
    await store.numberRequests.expire('expired-new', 12 * day);
    await create('lapsed-new', 1 * day, 11 * day);
    await create('pending', 9 * day, 100 * day);

    expect(await store.numberRequests.pruneSettledBefore(10 * day)).toBe(4);
    const left = await Promise.all(
      ['approved-old', 'denied-old', 'expired-old', 'lapsed-old', 'approved-new', 'expired-new', 'lapsed-new', 'pending'].map(async (id) =>
        (await store.numberRequests.get(id)) ? id : undefined,
      ),
    );
    expect(left.filter(Boolean)).toEqual(['approved-new', 'expired-new', 'lapsed-new', 'pending']);
    expect(await store.numberRequests.pruneSettledBefore(10 * day)).toBe(0);
  });
});
