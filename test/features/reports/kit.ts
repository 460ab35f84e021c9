import { expect } from 'vitest';
import { teamKey } from '../../../src/store/workspace-key.js';
import { eventually, type Harness } from '../../kit/harness.js';
import type { EmulatedView } from '../../kit/slack-emulator.js';
import type { Actor } from '../../kit/slack-sender.js';
import { acme, globex, startWorld, type World } from '../../tenancy/world.js';

/**
 * Two workspaces with a calls channel each (the bots in them), where workspace admins may
 * provision, so each sets its own numbers' report channel.
 */
export const acmeBot = `U${acme.id}BOT`;
export const globexBot = `U${globex.id}BOT`;

export async function reportsWorld(): Promise<World> {
  const world = await startWorld({ vapi: true, signalwire: true, env: { PERMISSIONS: 'numbers.provision=admins' } });
  const h = world.harness;
  await world.installAcme();
  await world.installGlobex();
  h.emulator.channels.add({ id: 'C0ACMECALL', name: 'acme-calls', kind: 'public', teamId: acme.id, members: [acmeBot] });
  h.emulator.channels.add({ id: 'C0ACMEPRIV', name: 'acme-private', kind: 'private', teamId: acme.id, members: ['U0ADMIN'] });
  h.emulator.channels.add({ id: 'C0GLOBCALL', name: 'globex-calls', kind: 'public', teamId: globex.id, members: [globexBot] });
  return world;
}

export const postsIn = (h: Harness, channel: string) => [...h.emulator.messages.values()].filter((message) => message.channel === channel);

/** A Vapi number answered by an assistant, owned by `teamId`'s workspace. */
export async function vapiNumber(h: Harness, teamId: string, name: string): Promise<string> {
  const assistantId = h.vapi.assistants[0]?.id;
  const id = `vapi-${name.toLowerCase().replace(/\W+/g, '-')}`;
  h.vapi.numbers.set(id, { id, orgId: 'org', provider: 'vapi', status: 'active', number: '+14155550100', name: `${name} #sb-0000abcd`, assistantId });
  await h.app.services.store.numbers.add({
    backend: 'vapi',
    vendorId: id,
    workspaceKey: teamKey(teamId),
    number: '+14155550100',
    sipUri: null,
    name,
    status: 'active',
    createdBy: 'U0ADMIN',
  });
  return id;
}

export async function signalWireNumber(h: Harness, teamId: string, number: string): Promise<string> {
  const id = `sw-${number.slice(-4)}`;
  h.signalwire.numbers.set(id, { id, number, name: 'Support texts', message_handler: null, message_request_url: null, capabilities: ['sms'] });
  await h.app.services.store.numbers.add({
    backend: 'signalwire',
    vendorId: id,
    workspaceKey: teamKey(teamId),
    number,
    sipUri: null,
    name: 'Support texts',
    status: 'active',
    createdBy: 'U0ADMIN',
  });
  return id;
}

/** Clicks Report calls and texts… beside the number in `/phone numbers`, and returns the modal. */
export async function openReport(h: Harness, actor: Actor, vendorId: string): Promise<EmulatedView> {
  const response = await h.slack.command('/phone', 'numbers', actor);
  const post = await eventually(() => h.emulator.responsesTo(response.responseUrl ?? '').at(-1), { message: '/phone numbers' });
  const before = new Set(h.emulator.views.keys());
  await h.slack.clickButton({ message: post.body as Record<string, any>, responseUrl: response.responseUrl ?? '' }, `numbers.report.open:${vendorId}`, actor);
  return eventually(() => [...h.emulator.views.values()].find((view) => !before.has(view.id)), { message: 'the report modal' });
}

export async function setReport(h: Harness, actor: Actor, vendorId: string, channel: string): Promise<EmulatedView> {
  const view = await openReport(h, actor, vendorId);
  expect(view.callback_id).toBe('numbers.report');
  const answer = await h.slack.submitView(view, { report_channel: channel }, actor);
  expect(answer.json?.response_action).toBe('update');
  return eventually(() => (JSON.stringify(h.emulator.views.get(view.id)).includes('from now on') ? h.emulator.views.get(view.id) : undefined), {
    message: 'the report set',
    timeoutMs: 10_000,
  });
}

export const endOfCall = (callId: string, extra: Record<string, unknown> = {}) => ({
  type: 'end-of-call-report',
  endedReason: 'customer-ended-call',
  call: { id: callId, type: 'inboundPhoneCall' },
  customer: { number: '+14155550123' },
  durationSeconds: 95,
  analysis: { summary: 'Asked about *opening hours* <!channel>' },
  artifact: { recordingUrl: 'https://storage.vapi.ai/recording.wav' },
  ...extra,
});
