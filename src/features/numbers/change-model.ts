import { z } from 'zod';
import {
  type SignalWireCallHandler,
  type SignalWireHandlerBody,
  type SignalWireMessageHandler,
  type SignalWireNumber,
  signalWireCallHandlers,
  signalWireMessageHandlers,
} from '../../backends/signalwire/schemas.js';
import type { UpdateVapiPhoneNumberBody, VapiFallbackDestination, VapiPhoneNumber, VapiPhoneNumberHook } from '../../backends/vapi/schemas.js';

// What can be changed on a number in place, as data: the number's settings as a person reads them,
// read from the vendor's number, and the one vendor request that turns one set into another, with
// its lines "before → after". The form (change-form.ts) edits these; the job sends `changeOf(…).body`.

export const answeredByKinds = ['assistant', 'squad', 'workflow', 'server'] as const;
export const ringingActions = ['none', 'transfer', 'say'] as const;
export const endingActions = ['none', 'transfer'] as const;

const named = z.object({ id: z.string().min(1).max(200), name: z.string().max(200).optional() });

export const vapiSettingsSchema = z.object({
  backend: z.literal('vapi'),
  answeredBy: z.enum(answeredByKinds),
  answerer: named.optional(),
  serverUrl: z.string().max(500).optional(),
  serverTimeout: z.number().int().min(1).max(300).optional(),
  /** E.164 or a SIP URI; the extension goes with a number. */
  fallback: z.object({ to: z.string().max(300), extension: z.string().max(10).optional(), message: z.string().max(300).optional() }).optional(),
  ringing: z.enum(ringingActions),
  ending: z.enum(endingActions),
  hookMessage: z.string().max(300).optional(),
});
export type VapiSettings = z.infer<typeof vapiSettingsSchema>;

const handlerTarget = z.string().max(500).optional();
export const signalWireSettingsSchema = z.object({
  backend: z.literal('signalwire'),
  callHandler: z.string().max(40).optional(),
  callTo: handlerTarget,
  messageHandler: z.string().max(40).optional(),
  messageTo: handlerTarget,
});
export type SignalWireSettings = z.infer<typeof signalWireSettingsSchema>;

export const numberSettingsSchema = z.discriminatedUnion('backend', [vapiSettingsSchema, signalWireSettingsSchema]);
export type NumberSettings = z.infer<typeof numberSettingsSchema>;

/** One changed setting, in words: "Answered by: assistant Front desk → squad Tier 1". */
export interface ChangeLine {
  label: string;
  before: string;
  after: string;
}

export type ChangeBody = { backend: 'vapi'; body: UpdateVapiPhoneNumberBody } | { backend: 'signalwire'; body: SignalWireHandlerBody };

/** The settings of a Vapi number as it is now; `names` gives assistants and squads their names. */
export function vapiSettingsOf(number: VapiPhoneNumber, names: ReadonlyMap<string, string> = new Map()): VapiSettings {
  const answerer = (id: string) => ({ id, ...(names.get(id) ? { name: names.get(id) } : {}) });
  const chosen = number.assistantId
    ? { answeredBy: 'assistant' as const, answerer: answerer(number.assistantId) }
    : number.squadId
      ? { answeredBy: 'squad' as const, answerer: answerer(number.squadId) }
      : number.workflowId
        ? { answeredBy: 'workflow' as const, answerer: answerer(number.workflowId) }
        : { answeredBy: 'server' as const };
  const hooks = (number.hooks ?? []) as Record<string, unknown>[];
  const ringing = hooks.find((hook) => hook.on === 'call.ringing');
  const firstRinging = Array.isArray(ringing?.do) ? (ringing.do[0] as Record<string, unknown> | undefined) : undefined;
  const ending = hooks.find((hook) => hook.on === 'call.ending');
  const endingAction = ending?.do as Record<string, unknown> | undefined;
  const say = firstRinging?.type === 'say' && typeof firstRinging.exact === 'string' ? firstRinging.exact : undefined;
  return {
    backend: 'vapi',
    ...chosen,
    ...(number.server?.url ? { serverUrl: number.server.url } : {}),
    ...(number.server?.timeoutSeconds ? { serverTimeout: number.server.timeoutSeconds } : {}),
    ...(fallbackOf(number.fallbackDestination) ? { fallback: fallbackOf(number.fallbackDestination) } : {}),
    ringing: firstRinging?.type === 'transfer' ? 'transfer' : say !== undefined ? 'say' : 'none',
    ending: endingAction?.type === 'transfer' ? 'transfer' : 'none',
    ...(say ? { hookMessage: say.slice(0, 300) } : {}),
  };
}

function fallbackOf(destination: Record<string, unknown> | null | undefined): VapiSettings['fallback'] {
  if (!destination) return undefined;
  const to = destination.type === 'sip' ? destination.sipUri : destination.number;
  if (typeof to !== 'string') return undefined;
  const text = (value: unknown) => (typeof value === 'string' && value ? value : undefined);
  const extension = text(destination.extension);
  const message = text(destination.message);
  return { to, ...(extension ? { extension } : {}), ...(message ? { message } : {}) };
}

/** The settings of a SignalWire number as it is now: what answers calls and texts, and where they go. */
export function signalWireSettingsOf(number: SignalWireNumber): SignalWireSettings {
  const companion = (handler: string | null | undefined, fields: Record<string, string>) => {
    const field = handler ? fields[handler] : undefined;
    const value = field ? (number as Record<string, unknown>)[field] : undefined;
    return typeof value === 'string' && value ? value : undefined;
  };
  const callTo = companion(number.call_handler, signalWireCallHandlers);
  const messageTo = companion(number.message_handler, signalWireMessageHandlers);
  return {
    backend: 'signalwire',
    ...(number.call_handler ? { callHandler: number.call_handler } : {}),
    ...(callTo ? { callTo } : {}),
    ...(number.message_handler ? { messageHandler: number.message_handler } : {}),
    ...(messageTo ? { messageTo } : {}),
  };
}

export function destinationOf(fallback: NonNullable<VapiSettings['fallback']>): VapiFallbackDestination {
  const message = fallback.message ? { message: fallback.message } : {};
  if (/^sips?:/i.test(fallback.to)) return { type: 'sip', sipUri: fallback.to, ...message };
  return { type: 'number', number: fallback.to, ...(fallback.extension ? { extension: fallback.extension } : {}), ...message };
}

/** The hooks these settings ask for: a ringing transfer or message, and a transfer when the assistant-request fails. */
export function hooksOf(settings: VapiSettings): VapiPhoneNumberHook[] {
  const hooks: VapiPhoneNumberHook[] = [];
  const destination = settings.fallback ? destinationOf(settings.fallback) : undefined;
  if (settings.ringing === 'transfer' && destination) hooks.push({ on: 'call.ringing', do: [{ type: 'transfer', destination }] });
  if (settings.ringing === 'say' && settings.hookMessage) hooks.push({ on: 'call.ringing', do: [{ type: 'say', exact: settings.hookMessage }] });
  if (settings.ending === 'transfer' && destination) {
    // A phone number's call.ending hook is about the assistant-request's endings only (its filters are
    // "restricted to assistant-request related ended reasons"), so it goes without filters: the spec's
    // filter schema puts its enum on the array itself, which no list of reasons satisfies.
    hooks.push({ on: 'call.ending', do: { type: 'transfer', destination } });
  }
  return hooks;
}

export const handlerLabels: Record<string, string> = {
  laml_webhooks: 'cXML webhook',
  relay_script: 'SWML script',
  relay_application: 'Relay application',
  relay_topic: 'Relay topic',
  relay_context: 'Relay context',
  laml_application: 'cXML application',
};

export const callHandlerChoices = Object.keys(signalWireCallHandlers) as SignalWireCallHandler[];
export const messageHandlerChoices = Object.keys(signalWireMessageHandlers) as SignalWireMessageHandler[];
