import type { Services } from '../../app/services.js';
import type { SignalWireClient } from '../../backends/signalwire/client.js';
import type { ImportNumberBody, SignalWireNumber } from '../../backends/signalwire/schemas.js';
import type { VapiClient } from '../../backends/vapi/client.js';
import type { CreateVapiPhoneNumberBody, VapiPhoneNumber } from '../../backends/vapi/schemas.js';
import { BackendError, backendLabels } from '../../http/errors.js';
import { type JobFinish, type JobOutcome, type JobRunContext, TerminalJobError } from '../../jobs/queue.js';
import type { WorkspaceKey } from '../../store/types.js';
import { maskPhoneNumber } from '../phone/phone-number.js';
import { provisionedMessage } from './messages.js';

export interface VapiPayload {
  workspaceKey: WorkspaceKey;
  requestedBy: string;
  /** The user intent; also binds the sealed password to this job. */
  intent: string;
  /** The body, with the SIP password sealed: job payloads are stored as they are. */
  body: Omit<CreateVapiPhoneNumberBody, 'authentication'> & { authentication?: { username: string; sealedPassword: string } };
}

export interface SignalWirePayload {
  workspaceKey: WorkspaceKey;
  requestedBy: string;
  body: ImportNumberBody;
  name?: string;
}

export type Provisioned =
  | { backend: 'vapi'; number: VapiPhoneNumber; existing: boolean }
  | { backend: 'signalwire'; number: SignalWireNumber; existing: boolean };

export const vapiJob = 'vapi.number.create';
export const signalWireJob = 'signalwire.number.import';

/**
 * Number provisioning through the durable queue. Neither vendor takes an idempotency key, so a
 * retry first looks for what an earlier attempt may have made (by SIP URI, name or number), and
 * a create is resent only when the request certainly never arrived.
 */
export class ProvisionJobs {
  constructor(
    private readonly services: Services,
    private readonly vapi: VapiClient | undefined,
    private readonly signalwire: SignalWireClient | undefined,
  ) {
    services.queue.define<VapiPayload, Provisioned>({
      kind: vapiJob,
      run: (payload, context) => this.createOnVapi(payload, context),
      onFinished: (finish) => this.afterProvision(finish, 'vapi'),
      describeError: describeTelephonyFailure,
    });
    services.queue.define<SignalWirePayload, Provisioned>({
      kind: signalWireJob,
      run: (payload, context) => this.importToSignalWire(payload, context),
      onFinished: (finish) => this.afterProvision(finish, 'signalwire'),
      describeError: describeTelephonyFailure,
    });
  }

  sealPassword(body: CreateVapiPhoneNumberBody, intent: string): VapiPayload['body'] {
    const { authentication, ...rest } = body;
    if (!authentication) return rest;
    return {
      ...rest,
      authentication: { username: authentication.username, sealedPassword: this.services.cipher.encrypt(authentication.password, `sip:${intent}`) },
    };
  }

  createNow(payload: VapiPayload): Promise<JobOutcome<Provisioned>> {
    return this.services.queue.enqueueAndRun<Provisioned>(
      vapiJob,
      payload,
      { dedupeKey: `${vapiJob}:${payload.intent}`, workspaceKey: payload.workspaceKey, requestedBy: payload.requestedBy },
      { waitMs: this.services.config.tuning.inlineWaitMs, inlineRetries: true },
    );
  }

  importNow(payload: SignalWirePayload, intent: string): Promise<JobOutcome<Provisioned>> {
    return this.services.queue.enqueueAndRun<Provisioned>(
      signalWireJob,
      payload,
      { dedupeKey: `${signalWireJob}:${intent}`, workspaceKey: payload.workspaceKey, requestedBy: payload.requestedBy },
      { waitMs: this.services.config.tuning.inlineWaitMs, inlineRetries: true },
    );
  }

  private async createOnVapi(payload: VapiPayload, context: JobRunContext): Promise<Provisioned> {
    if (!this.vapi) throw new TerminalJobError('Vapi is not set up: set VAPI_API_KEY');
    if (context.attempt > 1) {
      const earlier = await this.findOnVapi(payload.body);
      if (earlier) return this.claim(payload, { backend: 'vapi', number: earlier, existing: true });
    }
    const { authentication, ...rest } = payload.body;
    const body: CreateVapiPhoneNumberBody = authentication
      ? {
          ...rest,
          authentication: { username: authentication.username, password: this.services.cipher.decrypt(authentication.sealedPassword, `sip:${payload.intent}`) },
        }
      : rest;
    let created: VapiPhoneNumber;
    try {
      created = await this.vapi.createPhoneNumber(body, { retry: 'unsent', deadlineMs: context.deadlineMs });
    } catch (error) {
      throw asTelephonyJobError(error);
    }
    return this.claim(payload, { backend: 'vapi', number: created, existing: false });
  }

  /**
   * Records the number as the tenant's. A number some other tenant owns is never reported as this
   * one's: an earlier attempt's leftover found by search must be this tenant's or nobody's.
   */
  private async claim(payload: VapiPayload | SignalWirePayload, provisioned: Provisioned): Promise<Provisioned> {
    const { number } = provisioned;
    const owner = await this.services.store.numbers.find(provisioned.backend, number.id);
    if (owner && owner.workspaceKey !== payload.workspaceKey) {
      throw new TerminalJobError(`This number (${number.id}) was provisioned for another workspace: Switchboard left it alone.`);
    }
    await this.services.store.numbers.add({
      backend: provisioned.backend,
      vendorId: number.id,
      workspaceKey: payload.workspaceKey,
      number: provisioned.backend === 'vapi' ? (provisioned.number.number ?? null) : provisioned.number.number,
      sipUri: provisioned.backend === 'vapi' ? (provisioned.number.sipUri ?? null) : null,
      name: number.name ?? null,
      status: provisioned.backend === 'vapi' ? (provisioned.number.status ?? null) : 'active',
      createdBy: payload.requestedBy,
    });
    return provisioned;
  }

  /** What an earlier, unanswered attempt may have created: the same SIP URI, or a free number of that name. */
  private async findOnVapi(body: VapiPayload['body']): Promise<VapiPhoneNumber | undefined> {
    const found = await this.vapi?.searchPhoneNumbers(body.sipUri ?? body.name);
    return found?.find((number) => (body.sipUri ? number.sipUri?.toLowerCase() === body.sipUri.toLowerCase() : number.name === body.name));
  }

  private async importToSignalWire(payload: SignalWirePayload, context: JobRunContext): Promise<Provisioned> {
    const client = this.signalwire;
    if (!client) throw new TerminalJobError('SignalWire is not set up: set SIGNALWIRE_PROJECT_ID, SIGNALWIRE_API_TOKEN and SIGNALWIRE_SPACE_URL');
    let number = context.attempt > 1 ? await client.findByNumber(payload.body.number) : undefined;
    const existing = number !== undefined;
    try {
      number ??= await client.importNumber(payload.body, { deadlineMs: context.deadlineMs });
      if (payload.name && number.name !== payload.name) number = await client.renameNumber(number.id, payload.name);
    } catch (error) {
      throw asTelephonyJobError(error);
    }
    return this.claim(payload, { backend: 'signalwire', number, existing });
  }

  private async afterProvision({ job, outcome, deliveredInline }: JobFinish<Provisioned>, backend: 'vapi' | 'signalwire'): Promise<void> {
    const payload = job.payload as VapiPayload | SignalWirePayload;
    const requested = 'number' in payload.body ? payload.body.number : (payload.body.sipUri ?? payload.body.name);
    await this.services.audit.record({
      action: backend === 'vapi' ? 'number.create' : 'number.import',
      outcome: outcome.status === 'done' ? 'ok' : 'failed',
      workspaceKey: payload.workspaceKey,
      userId: payload.requestedBy,
      target: requested.startsWith('+') ? maskPhoneNumber(requested) : requested,
      backend,
      backendId: outcome.status === 'done' ? outcome.result.number.id : undefined,
      error: outcome.status === 'failed' ? outcome.error : undefined,
      detail: { attempts: job.attempts, ...(outcome.status === 'done' ? { existing: outcome.result.existing } : {}) },
    });
    if (!deliveredInline) await this.services.bots.sendDirectMessage(payload.workspaceKey, payload.requestedBy, provisionedMessage(backend, outcome));
  }
}

/** Plain words for a Vapi or SignalWire failure, and whether trying again could help. */
export function explainTelephonyError(error: unknown): { reason: string; terminal: boolean } {
  if (!(error instanceof BackendError)) return { reason: error instanceof Error ? error.message : String(error), terminal: false };
  const who = backendLabels[error.backend];
  const { status, vendorMessage, kind } = error.failure;
  if (kind === 'timeout' || kind === 'network') return { reason: `${who} did not answer (${kind})`, terminal: false };
  if (kind === 'invalid-request') return { reason: error.message, terminal: true };
  if (status === 401 || status === 403) {
    const fix =
      error.backend === 'vapi'
        ? 'check VAPI_API_KEY (the private key) and VAPI_API_URL'
        : 'check SIGNALWIRE_PROJECT_ID, SIGNALWIRE_API_TOKEN (with the Numbers scope) and SIGNALWIRE_SPACE_URL';
    return { reason: `${who} refused Switchboard's credentials (${status}): ${fix}`, terminal: true };
  }
  if (error.backend === 'signalwire' && status === 404 && error.failure.operation === 'importedPhoneNumbers.create') {
    return {
      reason: 'This SignalWire space cannot import numbers (the partner API is not enabled): ask SignalWire support to enable number imports',
      terminal: true,
    };
  }
  if (status === 429) return { reason: `${who} is rate-limiting requests`, terminal: false };
  if (status !== undefined && status >= 500) return { reason: `${who} had an internal problem (${status})`, terminal: false };
  return { reason: `${who} refused: ${vendorMessage ?? `status ${status}`}`, terminal: true };
}

function asTelephonyJobError(error: unknown): unknown {
  if (!(error instanceof BackendError)) return error;
  const explanation = explainTelephonyError(error);
  if (explanation.terminal) return new TerminalJobError(explanation.reason);
  return error.retryable ? error : new Error(explanation.reason);
}

function describeTelephonyFailure(error: unknown): string {
  return error instanceof TerminalJobError ? error.message : explainTelephonyError(error).reason;
}
