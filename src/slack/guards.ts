import type { AllMiddlewareArgs } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { AuditTrail } from '../audit/audit-trail.js';
import type { Permissions } from '../permissions/permissions.js';
import type { Action } from '../permissions/policy.js';
import { type Owner, type RecordKind, recordNouns } from '../tenancy/ownership.js';
import type { Actor } from './actor.js';
import type { Mrkdwn } from './mrkdwn.js';

/**
 * What a listener declares beside its id: who may use it, and which record its payload names
 * that must be the caller's tenant's own. The listener table runs it before the handler, so a
 * handler holds no permission or tenant check of its own.
 */
export interface Guard {
  /** The policy's action the caller must be allowed; a function of the named record when its kind decides (an endpoint's type). */
  may: Action | 'anyone' | ((owner: Owner) => Action);
  /** A record the payload names: it must exist and be the caller's tenant's (operators: anyone's). */
  owns?: Owns;
  /** A refused form: the reason goes under this field and the form keeps what was typed. Without it the form is replaced. */
  field?: string;
  /** A button that opens a form: a refusal opens in its place. */
  opensForm?: true;
}

export interface Owns {
  record: RecordKind;
  /** Where the id is: the button's (or option's) value, or the form's private_metadata. */
  in: 'value' | 'metadata';
  /** Reads the id out of that text (a JSON value, say); the text itself when absent. */
  read?: (text: string) => string | undefined;
}

/** Why a request was refused, in words for the person; `notFound` when the record is not theirs (said as if it did not exist). */
export interface Refusal {
  text: string;
  notFound: boolean;
  /** Whom to ask, for a refusal shown as mrkdwn. */
  ask?: Mrkdwn;
}

export interface GuardDependencies {
  permissions: Pick<Permissions, 'refusal' | 'formRefusal' | 'allows' | 'isOperator'>;
  owners: (kind: RecordKind, id: string) => Promise<Owner | undefined>;
  audit: Pick<AuditTrail, 'record'>;
}

/** The parts of a request a guard reads. */
export interface Guarded {
  kind: 'action' | 'view' | 'options';
  id: string;
  actor: Actor;
  client: WebClient;
  value: string | undefined;
  metadata: string | undefined;
}

/** Runs guards: the named record first (so its kind can decide the permission), then the policy. */
export class Guards {
  constructor(private readonly deps: GuardDependencies) {}

  async check(guard: Guard, request: Guarded): Promise<Refusal | undefined> {
    const owner = guard.owns ? await this.ownerOf(guard.owns, request) : undefined;
    if (guard.owns && !owner) return this.notFound(guard, guard.owns, request);
    if (guard.may === 'anyone') return undefined;
    const action = typeof guard.may === 'function' ? guard.may(owner as Owner) : guard.may;
    const { permissions } = this.deps;
    const target = (request.value ?? request.id).slice(0, 200);
    if (request.kind === 'options') return (await permissions.allows(request.actor, action, request.client)) ? undefined : { text: '', notFound: false };
    if (request.kind === 'view') {
      const text = await permissions.formRefusal(request.actor, action, request.client, target);
      return text ? { text, notFound: false } : undefined;
    }
    const refusal = await permissions.refusal(request.actor, action, request.client, target);
    return refusal ? { text: refusal.message, notFound: false, ask: refusal.ask } : undefined;
  }

  /** The record, when it is the caller's tenant's (or the caller is an operator). */
  private async ownerOf(owns: Owns, request: Guarded): Promise<Owner | undefined> {
    const text = owns.in === 'value' ? request.value : request.metadata;
    const id = text === undefined ? undefined : owns.read ? owns.read(text) : text;
    const owner = id ? await this.deps.owners(owns.record, id) : undefined;
    const ours = owner && (owner.workspaceKey === request.actor.tenant.key || this.deps.permissions.isOperator(request.actor.userId));
    return ours ? owner : undefined;
  }

  private async notFound(guard: Guard, owns: Owns, request: Guarded): Promise<Refusal> {
    await this.deps.audit.record({
      action: typeof guard.may === 'string' && guard.may !== 'anyone' ? guard.may : request.id,
      outcome: 'not-found',
      workspaceKey: request.actor.tenant.key,
      userId: request.actor.userId,
      target: (owns.in === 'value' ? request.value : request.metadata)?.slice(0, 200),
    });
    return { text: `There is no such ${recordNouns[owns.record]} in this workspace (it may have been removed).`, notFound: true };
  }
}

/** What the table hands a guard from Bolt's arguments. */
export function guardedOf(kind: Guarded['kind'], id: string, args: AllMiddlewareArgs & { body: unknown }, actor: Actor): Guarded {
  const body = args.body as { actions?: { value?: string; selected_option?: { value?: string } }[]; view?: { private_metadata?: string } };
  const action = body.actions?.[0];
  return {
    kind,
    id,
    actor,
    client: args.client,
    value: action?.value ?? action?.selected_option?.value,
    metadata: body.view?.private_metadata,
  };
}
