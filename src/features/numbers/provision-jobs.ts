import { createOnce } from '../../backends/create-once.js';
import type { ImportNumberBody } from '../../backends/signalwire/schemas.js';
import type { CreateVapiPhoneNumberBody, VapiPhoneNumber } from '../../backends/vapi/schemas.js';
import { BackendError } from '../../http/errors.js';
import { type Accepted, finishAudit, type JobDefinition, type JobFinish, type JobRunContext, type Requester, TerminalJobError } from '../../jobs/queue.js';
import type { SlackMessage } from '../../slack/bot-clients.js';
import type { NewJob, NumberBackend } from '../../store/types.js';
import type { NumberDeps } from '../deps.js';
import { maskPhoneNumber } from '../phone/phone-number.js';
import { ReportTargets } from '../reports/targets.js';
import { type ActivationNotes, NumberActivation } from './activation.js';
import { asTelephonyJobError, describeTelephonyFailure, markedName, type Provisioned, requestMarker, unmarkedName } from './telephony.js';

/** Whose number it is; `approvedBy`: the operator who approved the request (the requester is not the one waiting, and is told by DM). */
interface ProvisionOwner extends Requester {
  approvedBy?: string;
  /** The channel (checked to be the workspace's) its calls and texts are reported in. */
  report?: { channelId: string };
}

export interface VapiPayload extends ProvisionOwner {
  /** The user intent; also binds the sealed password to this job. */
  intent: string;
  /** The body, with the SIP password sealed: job payloads are stored as they are. */
  body: Omit<CreateVapiPhoneNumberBody, 'authentication'> & { authentication?: { username: string; sealedPassword: string; realm?: string } };
  /** The modal that shows the result, kept up to date while a free number activates. */
  viewId?: string;
}

export interface SignalWirePayload extends ProvisionOwner {
  body: ImportNumberBody;
  name?: string;
}

/** The direct messages a finished provisioning sends: rendered by the feature's views, handed in where the jobs are made. */
export interface ProvisionNotes extends ActivationNotes {
  provisioned(backend: NumberBackend, outcome: JobFinish<Provisioned>['outcome']): SlackMessage;
}

/** Each backend's provisioning job; one job per intent (its dedupe key). */
const jobKinds = { vapi: 'vapi.number.create', signalwire: 'signalwire.number.import' } as const;

/** Vapi's clock and ours may differ a little when "after the request began" is judged. */
const clockSkewMs = 60_000;

/**
 * Number provisioning through the durable queue. Neither vendor takes an idempotency key, so a
 * retry first looks for what an earlier attempt may have made (by SIP URI, name or number), and
 * a create is resent only when the request certainly never arrived.
 */
export class ProvisionJobs {
  /** Follows free Vapi numbers until they are active. */
  readonly activation: NumberActivation | undefined;
  private readonly reports: ReportTargets;

  constructor(
    private readonly services: NumberDeps,
    private readonly notes: ProvisionNotes,
  ) {
    const { vapi } = services.backends;
    this.activation = vapi ? new NumberActivation(services, vapi, notes) : undefined;
    this.reports = new ReportTargets(services);
  }

  get definitions(): JobDefinition[] {
    return [
      ...(this.activation?.definitions ?? []),
      {
        kind: jobKinds.vapi,
        describe: 'create a Vapi number',
        run: (payload, context) => this.createOnVapi(payload, context),
        onFinished: (finish) => this.afterProvision(finish, 'vapi'),
        describeError: describeTelephonyFailure,
      } satisfies JobDefinition<VapiPayload, Provisioned>,
      {
        kind: jobKinds.signalwire,
        describe: 'import a number into SignalWire',
        run: (payload, context) => this.importToSignalWire(payload, context),
        onFinished: (finish) => this.afterProvision(finish, 'signalwire'),
        describeError: describeTelephonyFailure,
      } satisfies JobDefinition<SignalWirePayload, Provisioned>,
    ];
  }

  sealPassword(body: CreateVapiPhoneNumberBody, intent: string): VapiPayload['body'] {
    const { authentication, ...rest } = body;
    if (!authentication) return rest;
    return {
      ...rest,
      authentication: {
        username: authentication.username,
        sealedPassword: this.services.cipher.encrypt(authentication.password, `sip:${intent}`),
        ...(authentication.realm ? { realm: authentication.realm } : {}),
      },
    };
  }

  /** The password `sealPassword` sealed to `intent`, if the body has one. */
  unsealPassword(body: VapiPayload['body'], intent: string): string | undefined {
    return body.authentication && this.services.cipher.decrypt(body.authentication.sealedPassword, `sip:${intent}`);
  }

  /** Stores a Vapi number for a person waiting; `run` provisions it. */
  acceptCreate(payload: VapiPayload): Promise<Accepted<Provisioned>> {
    return this.services.queue.accept<Provisioned>(jobKinds.vapi, payload, `${jobKinds.vapi}:${payload.intent}`);
  }

  acceptImport(payload: SignalWirePayload, intent: string): Promise<Accepted<Provisioned>> {
    return this.services.queue.accept<Provisioned>(jobKinds.signalwire, payload, `${jobKinds.signalwire}:${intent}`);
  }

  /** The job `acceptCreate` stores, for an approval that stores it in its own transaction. */
  draftCreate(payload: VapiPayload): NewJob {
    return this.services.queue.draft(jobKinds.vapi, payload, `${jobKinds.vapi}:${payload.intent}`);
  }

  draftImport(payload: SignalWirePayload, intent: string): NewJob {
    return this.services.queue.draft(jobKinds.signalwire, payload, `${jobKinds.signalwire}:${intent}`);
  }

  /** How long a create whose answer was lost may take to appear before it counts as never made. */
  private get reconcileWindowMs(): number {
    return this.services.config.tuning.backendTimeoutMs * 3;
  }

  private async createOnVapi(payload: VapiPayload, context: JobRunContext): Promise<Provisioned> {
    const { vapi } = this.services.backends;
    if (!vapi) throw new TerminalJobError('Vapi is not set up: set VAPI_API_KEY');
    const marker = requestMarker(payload.intent);
    const { authentication, ...rest } = payload.body;
    const password = this.unsealPassword(payload.body, payload.intent);
    const body: CreateVapiPhoneNumberBody = {
      ...rest,
      name: markedName(rest.name, marker),
      ...(authentication && password !== undefined
        ? { authentication: { username: authentication.username, password, ...(authentication.realm ? { realm: authentication.realm } : {}) } }
        : {}),
    };
    try {
      const { value, found } = await createOnce({
        send: () => vapi.createPhoneNumber(body, { retry: 'unsent', deadlineMs: context.deadlineMs }),
        find: () => this.findOnVapi(marker),
        findFirst: context.attempt > 1,
        windowMs: this.reconcileWindowMs,
      });
      return this.reported(payload, await this.claim(payload, { backend: 'vapi', number: value, existing: found }));
    } catch (error) {
      throw asTelephonyJobError(error);
    }
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
      name: unmarkedName(number.name) ?? null,
      status: provisioned.backend === 'vapi' ? (provisioned.number.status ?? null) : 'active',
      createdBy: payload.requestedBy,
    });
    return provisioned;
  }

  /** The number this request made: its name ends with the request's marker (Vapi's search also matches numbers and SIP URIs, so the name is checked exactly). */
  private async findOnVapi(marker: string): Promise<VapiPhoneNumber | undefined> {
    const found = await this.services.backends.vapi?.searchPhoneNumbers(marker);
    return found?.find((number) => number.name?.endsWith(` #${marker}`));
  }

  /**
   * SignalWire's import takes no marker, so the number is the marker: after a lost answer, the
   * number found in the space counts as this request's only if it appeared after the request began.
   */
  private async importToSignalWire(payload: SignalWirePayload, context: JobRunContext): Promise<Provisioned> {
    const client = this.services.backends.signalwire;
    if (!client) throw new TerminalJobError('SignalWire is not set up: set SIGNALWIRE_PROJECT_ID, SIGNALWIRE_API_TOKEN and SIGNALWIRE_SPACE_URL');
    const requestedAt = context.job.createdAt - clockSkewMs;
    const ours = async () => {
      const found = await client.findByNumber(payload.body.number);
      if (!found) return undefined;
      if (Date.parse(found.created_at ?? '') >= requestedAt) return found;
      throw new TerminalJobError(
        `${payload.body.number} is already in SignalWire, imported before this request: Switchboard did not import it, and left it alone.`,
      );
    };
    const { value, found } = await createOnce({
      send: () => client.importNumber(payload.body, { deadlineMs: context.deadlineMs }),
      find: ours,
      findFirst: context.attempt > 1,
      windowMs: this.reconcileWindowMs,
    }).catch(async (error: unknown) => {
      // "Number has already been taken": this request's earlier import, or someone else's.
      const earlier = error instanceof BackendError && error.status === 422 ? await ours() : undefined;
      if (!earlier) throw asTelephonyJobError(error);
      return { value: earlier, found: true };
    });
    let number = value;
    try {
      if (payload.name && number.name !== payload.name) number = await client.renameNumber(number.id, payload.name);
    } catch (error) {
      throw asTelephonyJobError(error);
    }
    return this.reported(payload, await this.claim(payload, { backend: 'signalwire', number, existing: found }));
  }

  /**
   * Points the new number's webhooks at Switchboard when a report channel was chosen. The number
   * stands either way: a failure here is said beside it, and Report calls and texts… tries again.
   */
  private async reported(payload: VapiPayload | SignalWirePayload, provisioned: Provisioned): Promise<Provisioned> {
    if (!payload.report) return provisioned;
    const target = { backend: provisioned.backend, vendorId: provisioned.number.id, workspaceKey: payload.workspaceKey, setBy: payload.requestedBy };
    try {
      await this.reports.attach({ ...target, channelId: payload.report.channelId });
      return { ...provisioned, report: { channelId: payload.report.channelId } };
    } catch (error) {
      return { ...provisioned, report: { channelId: payload.report.channelId, problem: describeTelephonyFailure(asTelephonyJobError(error)) } };
    }
  }

  private async afterProvision(
    { job, payload, outcome, deliveredInline, audit, tell }: JobFinish<Provisioned, VapiPayload | SignalWirePayload>,
    backend: NumberBackend,
  ): Promise<void> {
    const requested = 'number' in payload.body ? payload.body.number : (payload.body.sipUri ?? payload.body.name);
    await audit({
      action: backend === 'vapi' ? 'number.create' : 'number.import',
      ...finishAudit(payload, outcome),
      target: requested.startsWith('+') ? maskPhoneNumber(requested) : requested,
      backend,
      backendId: outcome.status === 'done' ? outcome.result.number.id : undefined,
      detail: {
        attempts: job.attempts,
        // `found`: the vendor's answer was lost and the number was found by this request's marker, not made again.
        ...(outcome.status === 'done' ? { created: outcome.result.existing ? 'found' : 'answered' } : {}),
      },
    });
    if (!deliveredInline || payload.approvedBy !== undefined) await tell(payload.workspaceKey, payload.requestedBy, this.notes.provisioned(backend, outcome));
    if (outcome.status === 'done' && outcome.result.backend === 'vapi' && outcome.result.number.status === 'activating') {
      await this.activation?.follow({
        workspaceKey: payload.workspaceKey,
        requestedBy: payload.requestedBy,
        vendorId: outcome.result.number.id,
        viewId: 'viewId' in payload ? payload.viewId : undefined,
      });
    }
  }
}
