import type { CreatePhoneEndpointBody } from '../../backends/novu/schemas.js';
import { type StateValues, textOf } from '../../slack/view-state.js';
import type { NovuScope } from '../../tenancy/novu-scope.js';
import type { Tenant } from '../../tenancy/tenant.js';
import { endpointIdentifierPattern } from '../endpoint-writer.js';
import { failureParts } from '../failure-text.js';
import { endpointIdentifier } from './endpoint-jobs.js';
import { type RegisterField, type RegisterPrefill, registerView } from './messages.js';
import { parsePhoneNumber } from './phone-number.js';

/** `/phone register +1 415 555 0100 subscriber-42`: the last word is the subscriber when it has a letter in it. */
export function prefillFromArgs(args: string[]): RegisterPrefill {
  if (args.length === 0) return {};
  const last = args.at(-1) ?? '';
  if (args.length > 1 && /[a-zA-Z_]/.test(last)) return { number: args.slice(0, -1).join(' '), subscriberId: last };
  if (args.length === 1 && /[a-zA-Z_]/.test(last) && !/^tel:/i.test(last)) return { subscriberId: last };
  return { number: args.join(' ') };
}

/**
 * The modal's values, validated before anything is sent; errors keyed by block for
 * `response_action: errors`. The endpoint goes into the tenant's context set, which is
 * Switchboard's to set: nobody types one.
 */
export function readRegistration(
  values: StateValues,
  defaultRegion: string,
  where: { tenant: Tenant; scope: NovuScope },
): { body: CreatePhoneEndpointBody; prefill: RegisterPrefill } | { errors: Record<string, string> } {
  type Ids = { block: string; action: string };
  const state = (ids: Ids) => values[ids.block]?.[ids.action] as { value?: unknown; selected_option?: { value?: unknown } } | undefined;
  const text = (ids: Ids) => textOf(state(ids)?.value)?.trim() ?? '';
  const option = (ids: Ids) => textOf(state(ids)?.selected_option?.value) ?? '';
  const prefill: RegisterPrefill = {
    subscriberId: text(registerView.subscriber),
    number: text(registerView.number),
    integration: option(registerView.integration),
    connection: option(registerView.connection) || undefined,
    identifier: text(registerView.identifier) || undefined,
  };
  const errors: Record<string, string> = {};
  if (!prefill.subscriberId) errors[registerView.subscriber.block] = 'Enter the Novu subscriber ID.';
  const phone = parsePhoneNumber(prefill.number ?? '', defaultRegion);
  if (!phone.ok) errors[registerView.number.block] = phone.problem;
  if (!prefill.integration) errors[registerView.integration.block] = 'Choose the Novu integration that delivers to this number.';
  else if (prefill.integration.startsWith('~')) errors[registerView.integration.block] = 'That integration is no longer offered by Novu: choose again.';
  if (prefill.connection?.startsWith('~')) errors[registerView.connection.block] = 'That connection is no longer offered: choose again.';
  if (prefill.identifier && !endpointIdentifierPattern.test(prefill.identifier)) {
    errors[registerView.identifier.block] = 'Use up to 100 letters, digits and _ . : -, starting with a letter or digit.';
  }
  if (Object.keys(errors).length > 0 || !phone.ok || !prefill.subscriberId || !prefill.integration) return { errors };
  const body: CreatePhoneEndpointBody = {
    identifier: prefill.identifier ?? endpointIdentifier(where.tenant.id, prefill.integration, prefill.subscriberId, phone.e164),
    type: 'phone',
    subscriberId: prefill.subscriberId,
    integrationIdentifier: prefill.integration,
    ...(prefill.connection ? { connectionIdentifier: prefill.connection } : {}),
    // The job writes the tenant's context set as it is when it runs; this is the default one.
    context: where.scope.context(where.tenant),
    endpoint: { phoneNumber: phone.e164 },
  };
  return { body, prefill };
}

/** Which modal field a failure message points at (by Switchboard's words, not the vendor's); the job keeps only its text. */
export function fieldOfFailure(error: string): RegisterField | undefined {
  const message = failureParts(error).text;
  if (/subscriber/i.test(message)) return 'subscriber';
  if (/integration/i.test(message)) return 'integration';
  if (/channel connection|connection /i.test(message)) return 'connection';
  if (/identifier/i.test(message)) return 'identifier';
  if (/context|scope/i.test(message)) return 'context';
  if (/phone|endpoint must match/i.test(message)) return 'number';
  return undefined;
}
