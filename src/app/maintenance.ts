import { moveJob } from '../features/endpoint-writer.js';
import type { Services } from '../services.js';

const day = 24 * 60 * 60_000;

/** Housekeeping on a timer: retention, expired OAuth states, and rotating tokens of idle workspaces. */
export function startMaintenance(services: Services, intervalMs = 5 * 60_000): () => Promise<void> {
  const { store, config, logger, refresher, metrics } = services;
  let running: Promise<void> | undefined;
  const runOnce = async () => {
    const now = Date.now();
    try {
      await store.oauthStates.pruneExpired(now);
      await store.events.pruneBefore(now - 2 * day);
      await store.audit.pruneBefore(now - config.audit.retentionDays * day);
      await store.jobs.pruneFinished(now - config.audit.retentionDays * day);
      await store.numberRequests.pruneSettledBefore(now - config.audit.retentionDays * day);
      await store.phoneImports.pruneFinished(now - config.audit.retentionDays * day);
      await refresher.sweep(intervalMs * 2);
      if (config.novu) await checkUnknownScopes(services);
      const counts = await store.jobs.countByStatus();
      for (const [state, count] of Object.entries(counts)) metrics.jobs.set({ state }, count);
    } catch (error) {
      logger.warn({ err: error }, 'maintenance round failed');
    }
  };
  const timer = setInterval(() => {
    running ??= runOnce().finally(() => (running = undefined));
  }, intervalMs);
  timer.unref();
  running = runOnce().finally(() => (running = undefined));
  return async () => {
    clearInterval(timer);
    await running;
  };
}

/**
 * Endpoints recorded before Switchboard kept the context each was written with: their tenant's move
 * job looks each one up in Novu, records what Novu holds, and writes again any that is not in the
 * tenant's context — once per tenant (the dedupe key), until none is left unknown.
 */
async function checkUnknownScopes({ store, queue }: Services): Promise<void> {
  for (const workspaceKey of await store.endpoints.tenantsWithUnknownScope(100)) {
    await queue.enqueue(moveJob, { workspaceKey }, { dedupeKey: `${moveJob}:unknown-scope:${workspaceKey}` });
  }
}
