import { setTimeout as sleep } from 'node:timers/promises';
import type { View } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import type { Actor } from '../../slack/actor.js';
import type { ViewSubmissionArgs } from '../../slack/listener-table.js';
import type { NumberRequest } from '../../store/types.js';
import type { NumberDeps } from '../deps.js';
import { asRequestForm, isRequestForm, requestRefusals } from './request-messages.js';
import type { RequestedNumber } from './request-payload.js';

// Who asks and who provisions: someone who may ask (`numbers.request`) but not provision
// (`numbers.provision`) gets the provisioning forms as requests, which operators decide.

type Permissions = NumberDeps['permissions'];

export type Decision = 'approved' | 'denied';

/** Opening a form waits at most this long to learn whether the person may provision (the trigger lasts 3 seconds). */
const openBudgetMs = 300;
/** A submission's acknowledgement waits at most this long to learn the same: the provisioning check may then wait its own budget. */
const submitBudgetMs = 750;

/** The form to open: as drawn when the person may provision, or while Slack has not said; as a request when they may not. */
export async function formFor(permissions: Permissions, actor: Actor, client: WebClient, form: View, backend: RequestedNumber['backend']): Promise<View> {
  const mayProvision = await within(openBudgetMs, permissions.allows(actor, 'numbers.provision', client));
  return mayProvision === false ? asRequestForm(form, backend) : form;
}

/**
 * Whether a submission provisions or asks. A form drawn as a request stays one; a form drawn to
 * provision (opened while the check was pending, say) asks when the person may not provision.
 */
export async function submissionMode(
  permissions: Permissions,
  actor: Actor,
  client: WebClient,
  view: ViewSubmissionArgs['view'],
): Promise<'provision' | 'request'> {
  if (isRequestForm(view)) return 'request';
  const mayProvision = await within(submitBudgetMs, permissions.allows(actor, 'numbers.provision', client));
  return mayProvision === false ? 'request' : 'provision';
}

/**
 * Only operators decide for another workspace (the listener's guard) or approve their own request.
 * A requester reaches this only if they may provision now (the policy changed since they asked):
 * they may deny their own request, not approve it.
 */
export function objectionTo(permissions: Permissions, actor: Actor, request: NumberRequest, decision: Decision): string | undefined {
  const ownApproval = decision === 'approved' && request.requestedBy === actor.userId;
  return ownApproval && !permissions.isOperator(actor.userId) ? requestRefusals.ownRequest : undefined;
}

/** Resolves with the answer, or with undefined once `budgetMs` have passed; a late answer is dropped. */
async function within<T>(budgetMs: number, answer: Promise<T>): Promise<T | undefined> {
  answer.catch(() => {});
  return Promise.race([answer, sleep(budgetMs, undefined, { ref: false })]);
}
