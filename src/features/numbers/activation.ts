import type { View } from '@slack/types';
import type { VapiClient } from '../../backends/vapi/client.js';
import type { VapiPhoneNumber } from '../../backends/vapi/schemas.js';
import { BackendError } from '../../http/errors.js';
import type { JobDefinition, JobFinish, JobRunContext, Requester } from '../../jobs/queue.js';
import type { SlackMessage } from '../../slack/bot-clients.js';
import { tenantOfKey } from '../../tenancy/tenant.js';
import type { NumberDeps } from '../deps.js';
import { type ActivationSettled, asTelephonyJobError, describeTelephonyFailure } from './telephony.js';

/** What an activation tells the person: rendered by the feature's views. */
export interface ActivationNotes {
  activated(vendorId: string, settled: ActivationSettled): SlackMessage;
  activatedView(settled: { state: 'active' | 'blocked'; number: VapiPhoneNumber }): View;
}

const activationJob = 'vapi.number.activation';

/** Where the number was provisioned from, so its result can be brought up to date. */
export interface ActivationPayload extends Requester {
  vendorId: string;
  /** 1 for the first check. */
  check: number;
  /** When following began: the bound on how long it goes on. */
  since: number;
  /** The result modal, if the person saw the result there (it may have been closed since). */
  viewId?: string;
}

/** What a check found: the number is settled, or another check has been booked. */
export type ActivationState = Exclude<ActivationSettled, { state: 'unknown' }> | { state: 'activating'; number: VapiPhoneNumber };

/**
 * Follows a free Vapi number from `activating` to `active` or `blocked`. Each check is one job in
 * the durable queue that books the next one, so following carries on across restarts and
 * replicas, and stops after NUMBER_ACTIVATION_TIMEOUT_MINUTES. When the number settles, the
 * person who asked hears of it (a direct message, the result modal if still open, the App Home).
 */
export class NumberActivation {
  constructor(
    private readonly services: NumberDeps,
    private readonly vapi: VapiClient,
    private readonly notes: ActivationNotes,
  ) {}

  get definitions(): JobDefinition[] {
    return [
      {
        kind: activationJob,
        describe: 'check whether a new Vapi number is active',
        run: (payload, context) => this.check(payload, context),
        onFinished: (finish) => this.afterCheck(finish),
        describeError: describeTelephonyFailure,
      } satisfies JobDefinition<ActivationPayload, ActivationState>,
    ];
  }

  /** Starts following a number that Vapi said is activating. Called twice for one number, it follows once. */
  async follow(payload: Omit<ActivationPayload, 'check' | 'since'>): Promise<void> {
    await this.book({ ...payload, check: 1, since: Date.now() });
  }

  private async book(payload: ActivationPayload): Promise<void> {
    await this.services.queue.enqueue(activationJob, payload, {
      dedupeKey: `${activationJob}:${payload.vendorId}:${payload.check}`,
      runAt: Date.now() + this.services.config.tuning.activationCheckMs,
    });
  }

  private async check(payload: ActivationPayload, context: JobRunContext): Promise<ActivationState> {
    const number = await this.vapi.getPhoneNumber(payload.vendorId).catch((error: unknown) => {
      if (error instanceof BackendError && error.status === 404) return undefined;
      throw asTelephonyJobError(error);
    });
    if (!number) return { state: 'gone' };
    const status = number.status ?? 'active';
    if (status === 'active' || status === 'blocked') {
      await this.services.store.numbers.setStatus('vapi', payload.vendorId, status);
      return { state: status, number };
    }
    if (Date.now() - payload.since >= this.services.config.tuning.activationTimeoutMs) return { state: 'gave-up', number };
    await this.book({ ...payload, check: payload.check + 1 });
    context.logger.debug({ vendorId: payload.vendorId, check: payload.check }, 'number still activating');
    return { state: 'activating', number };
  }

  private async afterCheck({ payload, outcome, audit, tell }: JobFinish<ActivationState, ActivationPayload>): Promise<void> {
    const settled = settledOf(outcome);
    if (!settled) return;
    await audit({
      action: 'number.activation',
      outcome: settled.state === 'active' ? 'ok' : settled.state === 'gone' ? 'not-found' : 'failed',
      workspaceKey: payload.workspaceKey,
      userId: payload.requestedBy,
      backend: 'vapi',
      backendId: payload.vendorId,
      detail: { state: settled.state, checks: payload.check },
      error: settled.state === 'unknown' ? settled.error : undefined,
    });
    await tell(payload.workspaceKey, payload.requestedBy, this.notes.activated(payload.vendorId, settled));
    const client = await this.services.bots.forWorkspace(payload.workspaceKey);
    if (client && payload.viewId && (settled.state === 'active' || settled.state === 'blocked')) {
      // The person may have closed the result modal long ago: then there is nothing to update.
      await client.views
        .update({ view_id: payload.viewId, view: this.notes.activatedView({ state: settled.state, number: settled.number }) })
        .catch(() => undefined);
    }
    await this.services.events.emit('homeChanged', { userId: payload.requestedBy, tenant: tenantOfKey(payload.workspaceKey) });
  }
}

/** What to tell people after a check; nothing while the number is still activating. */
function settledOf(outcome: JobFinish<ActivationState>['outcome']): ActivationSettled | undefined {
  if (outcome.status === 'failed') return { state: 'unknown', error: outcome.error };
  const result = outcome.result;
  return result.state === 'activating' ? undefined : result;
}
