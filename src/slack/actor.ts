import type { Context } from '@slack/bolt';
import type { Tenant } from '../tenancy/tenant.js';

/** Who is acting, and for which tenant: put on every request by the tenant middleware. */
export interface Actor {
  userId: string;
  tenant: Tenant;
}

/** The request's actor. Every listener that acts for a person reads it from here, never from the payload. */
export function actorOf(context: Context): Actor {
  const actor = context.actor as Actor | undefined;
  if (!actor) throw new Error('This request has no actor: the tenant middleware did not run, or Slack sent no user');
  return actor;
}
