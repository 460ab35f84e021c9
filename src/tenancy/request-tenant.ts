import type { AnyMiddlewareArgs } from '@slack/bolt';
import type { View } from '@slack/types';
import type { Actor } from '../slack/actor.js';
import type { RequestStep } from '../slack/middleware.js';
import type { MrkdwnText } from '../slack/mrkdwn.js';
import type { TenantRecord } from '../store/types.js';
import { tenantOfAuthorization } from './tenant.js';
import type { Tenants } from './tenants.js';

/** Events that must reach their handler whatever the tenant's standing: the app leaving a workspace. */
const lifecycleEvents = new Set(['app_uninstalled', 'tokens_revoked']);

export interface NotApprovedAnswers {
  /** An ephemeral message for commands and buttons. */
  message(record: TenantRecord | undefined): { text: MrkdwnText; blocks?: unknown[] };
  /** A modal that replaces a submitted form. */
  view(record: TenantRecord | undefined): View;
}

/**
 * The request path is receiver → authorize → **tenant** → permission → handler. This step puts
 * the tenant (and the acting user) on the request context, so handlers take them from there and
 * never re-derive a workspace from the payload; and it stops every request from a tenant that is
 * not approved, before any handler runs. Operators pass: they approve tenants from inside Slack.
 */
export function requestTenant(options: { tenants: Tenants; isOperator: (userId: string) => boolean; notApproved: NotApprovedAnswers }): RequestStep {
  return async (args, next) => {
    const { context, body } = args;
    const tenant = tenantOfAuthorization(context);
    if (!tenant) return next();
    context.tenant = tenant;
    const userId = actingUser(body);
    if (userId) context.actor = { userId, tenant } satisfies Actor;

    const record = await options.tenants.find(tenant.key);
    context.tenantStatus = record?.status ?? 'pending';
    const eventType = (body as { event?: { type?: unknown } }).event?.type;
    if (record?.status === 'approved' || (typeof eventType === 'string' && (lifecycleEvents.has(eventType) || eventType === 'app_home_opened'))) {
      return next();
    }
    if (userId && options.isOperator(userId)) return next();
    await refuse(args, record, options.notApproved);
  };
}

/** The Slack user a request acts for, from the payload Slack signed. */
export function actingUser(body: AnyMiddlewareArgs['body']): string | undefined {
  const record = body as Record<string, any>;
  return [record.user_id, record.user?.id, record.event?.user].find((id): id is string => typeof id === 'string');
}

async function refuse(args: AnyMiddlewareArgs, record: TenantRecord | undefined, answers: NotApprovedAnswers): Promise<void> {
  const body = args.body as Record<string, any>;
  if (!('ack' in args) || typeof args.ack !== 'function') return;
  const ack = args.ack as (response?: unknown) => Promise<void>;
  if (typeof body.command === 'string') return ack({ response_type: 'ephemeral', ...answers.message(record) });
  if (body.type === 'view_submission') return ack({ response_action: 'update', view: answers.view(record) });
  if (body.type === 'block_suggestion') return ack({ options: [] });
  await ack();
  if ('respond' in args && typeof args.respond === 'function' && typeof body.response_url === 'string') {
    await args.respond({ response_type: 'ephemeral', replace_original: false, ...answers.message(record) }).catch(() => {});
  }
}
