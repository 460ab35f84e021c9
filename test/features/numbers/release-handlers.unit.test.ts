import type { View } from '@slack/types';
import { describe, expect, it } from 'vitest';
import type { Released, ReleaseTarget } from '../../../src/features/numbers/release.js';
import { type ReleaseHandlerDeps, ReleaseHandlers } from '../../../src/features/numbers/release-handlers.js';
import { releaseButton, releaseView } from '../../../src/features/numbers/release-messages.js';
import type { Accepted, JobOutcome, Telling } from '../../../src/jobs/queue.js';
import type { Guard } from '../../../src/slack/guards.js';
import type { SlackListeners } from '../../../src/slack/listener-table.js';
import type { JobRecord } from '../../../src/store/types.js';
import { teamKey } from '../../../src/store/workspace-key.js';
import { tenantOfKey } from '../../../src/tenancy/tenant.js';

/**
 * The release handlers as functions of their arguments and their dependencies: no HTTP, no
 * store, no queue — fakes that keep the contracts the handlers rely on (a request is stored, then
 * the person is told; a result shown in the form, or by direct message when the form is gone).
 */
const workspaceKey = teamKey('T0TEAM0001');
const actor = { userId: 'U0ADMIN', tenant: tenantOfKey(workspaceKey) };
const target: ReleaseTarget = { backend: 'signalwire', vendorId: 'sw-1', label: '+14155550101', ownerKey: workspaceKey, endpoints: [] };
const button = JSON.parse(JSON.stringify(releaseButton('signalwire', 'sw-1', '+14155550101'))) as { value: string };

interface Captured {
  kind: string;
  id: string | RegExp;
  guard: Guard;
  listener: (args: never) => Promise<void>;
}

function fakes(options: { refusal?: string; storeFails?: boolean; formGone?: boolean } = {}) {
  const opened: View[] = [];
  const updated: View[] = [];
  const acks: unknown[] = [];
  const dms: unknown[] = [];
  const released: string[] = [];
  const job = { id: 'job-1' } as JobRecord;
  const outcome: JobOutcome<Released> = { status: 'done', job, result: { target, alreadyGone: false, endpointsRemoved: [], endpointsLeft: [] } };
  const deps: ReleaseHandlerDeps = {
    queue: {
      // The queue's contract: the person is told only once the request is stored.
      async storedThenTold<T>(store: () => Promise<T>, tell: Telling<T>): Promise<T | undefined> {
        try {
          const value = await store();
          await tell.stored?.(value);
          return value;
        } catch {
          await tell.notStored('Switchboard could not store this just now.');
          return undefined;
        }
      },
    },
    bots: { sendDirectMessage: async (_key, _user, message) => dms.push(message) > 0 },
    logger: { warn: () => {} },
  };
  const release = {
    target: async () => (options.refusal ? { refusal: options.refusal } : target),
    acceptRelease: async (payload: { target: ReleaseTarget }): Promise<Accepted<Released>> => {
      if (options.storeFails) throw new Error('the store is down');
      return {
        job,
        run: async () => {
          released.push(payload.target.vendorId);
          return outcome;
        },
      };
    },
  };
  const routes: Captured[] = [];
  const table = {
    action: (id: string | RegExp, guard: Guard, listener: Captured['listener']) => routes.push({ kind: 'action', id, guard, listener }),
    view: (id: string | RegExp, guard: Guard, listener: Captured['listener']) => routes.push({ kind: 'view', id, guard, listener }),
    options: () => {},
    event: () => {},
  } as unknown as SlackListeners;
  new ReleaseHandlers(deps, release).register(table);
  const client = {
    views: {
      open: async ({ view }: { view: View }) => opened.push(view),
      update: async ({ view }: { view: View }) => {
        if (options.formGone) throw new Error('not_found');
        updated.push(view);
      },
    },
  };
  // The listener table hands listeners the actor it put through the guard.
  const click = () => routes[0]?.listener({ action: { value: button.value }, body: { trigger_id: 't-1' }, client, actor } as never);
  const confirm = (metadata = button.value) =>
    routes[1]?.listener({ ack: async (answer?: unknown) => acks.push(answer), view: { id: 'V1', private_metadata: metadata }, client, actor } as never);
  return { routes, opened, updated, acks, dms, released, click, confirm };
}

const texts = (value: unknown) => JSON.stringify(value);

describe('Release, as handlers of their arguments', () => {
  it('declares its guards: who may release, and that the number named is the caller’s own', () => {
    const { routes } = fakes();
    expect(routes.map((route) => [route.kind, route.guard.may, route.guard.owns?.record, route.guard.owns?.in])).toEqual([
      ['action', 'numbers.release', 'number', 'value'],
      ['view', 'numbers.release', 'number', 'metadata'],
    ]);
    expect(routes[1]?.guard.owns?.read?.(button.value)).toBe('signalwire:sw-1');
    expect(routes[1]?.guard.owns?.read?.('{"backend":"elsewhere"}')).toBeFalsy();
  });

  it('a click opens the confirmation naming the number; a refusal from the workflow opens instead', async () => {
    const allowed = fakes();
    await allowed.click();
    expect(allowed.opened[0]?.callback_id).toBe(releaseView.confirm);
    expect(texts(allowed.opened[0])).toContain('+14155550101');

    const refused = fakes({ refusal: 'This number is not provisioned for this workspace.' });
    await refused.click();
    expect(refused.opened[0]?.callback_id).not.toBe(releaseView.confirm);
    expect(texts(refused.opened[0])).toContain('not provisioned for this workspace');
  });

  it('confirming acknowledges only once the release is stored, then shows the result in the form', async () => {
    const run = fakes();
    await run.confirm();
    expect(run.acks).toHaveLength(1);
    expect(texts(run.acks[0])).toContain('"response_action":"update"');
    expect(run.released).toEqual(['sw-1']);
    expect(texts(run.updated.at(-1))).toContain('Released');
    expect(run.dms).toHaveLength(0);
  });

  it('a result whose form is gone goes by direct message', async () => {
    const run = fakes({ formGone: true });
    await run.confirm();
    expect(run.released).toEqual(['sw-1']);
    expect(run.dms).toHaveLength(1);
    expect(texts(run.dms[0])).toContain('+14155550101');
  });

  it('a release the store could not take is said so in the form, and nothing runs', async () => {
    const run = fakes({ storeFails: true });
    await run.confirm();
    expect(texts(run.acks[0])).toContain('could not store this');
    expect(run.released).toEqual([]);
  });

  it('a confirmation Switchboard did not make is refused without touching the number', async () => {
    const run = fakes();
    await run.confirm('{"forged":true}');
    expect(texts(run.acks[0])).toContain('not one Switchboard made');
    expect(run.released).toEqual([]);
  });
});
