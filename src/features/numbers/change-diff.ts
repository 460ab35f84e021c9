import type { SignalWireHandlerBody } from '../../backends/signalwire/schemas.js';
import { signalWireCallHandlers, signalWireMessageHandlers } from '../../backends/signalwire/schemas.js';
import type { UpdateVapiPhoneNumberBody } from '../../backends/vapi/schemas.js';
import {
  type ChangeBody,
  type ChangeLine,
  destinationOf,
  handlerLabels,
  hooksOf,
  type NumberSettings,
  type SignalWireSettings,
  type VapiSettings,
} from './change-model.js';

/** What changing `before` into `after` sends (one request, only what changes) and says; no lines: nothing changes. */
export function changeOf(before: NumberSettings, after: NumberSettings): { change: ChangeBody; lines: ChangeLine[] } {
  if (before.backend === 'vapi' && after.backend === 'vapi') return vapiChange(before, after);
  if (before.backend === 'signalwire' && after.backend === 'signalwire') return signalWireChange(before, after);
  throw new Error('A number cannot change vendor');
}

const answererField = { assistant: 'assistantId', squad: 'squadId', workflow: 'workflowId' } as const;

function answeredByText(settings: VapiSettings): string {
  if (settings.answeredBy === 'server' || !settings.answerer) return 'your server URL (assistant-request)';
  return `${settings.answeredBy} ${settings.answerer.name ?? settings.answerer.id}`;
}

function serverText(settings: VapiSettings): string {
  if (!settings.serverUrl) return 'none';
  return `${settings.serverUrl}${settings.serverTimeout ? ` (${settings.serverTimeout} s)` : ''}`;
}

function fallbackText(settings: VapiSettings): string {
  const fallback = settings.fallback;
  if (!fallback) return 'none (the call is hung up)';
  const extension = fallback.extension ? ` ext. ${fallback.extension}` : '';
  const message = fallback.message ? `, saying “${fallback.message}”` : '';
  return `${fallback.to}${extension}${message}`;
}

function ringingText(settings: VapiSettings): string {
  if (settings.ringing === 'transfer') return 'transfer to the fallback destination';
  if (settings.ringing === 'say') return `say “${settings.hookMessage ?? ''}” and end the call`;
  return 'answer as usual';
}

const endingText = (settings: VapiSettings) => (settings.ending === 'transfer' ? 'transfer to the fallback destination' : 'end the call');

function vapiChange(before: VapiSettings, after: VapiSettings): { change: ChangeBody; lines: ChangeLine[] } {
  const body: UpdateVapiPhoneNumberBody = { provider: 'vapi' };
  const lines: ChangeLine[] = [];
  const line = (label: string, text: (settings: VapiSettings) => string) => {
    if (text(before) !== text(after)) lines.push({ label, before: text(before), after: text(after) });
  };
  if (before.answeredBy !== after.answeredBy || before.answerer?.id !== after.answerer?.id) {
    // The answerer that stops answering is cleared, so that the new one is the only one set.
    if (before.answeredBy !== 'server' && before.answeredBy !== after.answeredBy) body[answererField[before.answeredBy]] = null;
    if (after.answeredBy !== 'server' && after.answerer) body[answererField[after.answeredBy]] = after.answerer.id;
    lines.push({ label: 'Answered by', before: answeredByText(before), after: answeredByText(after) });
  }
  if (serverText(before) !== serverText(after) && after.serverUrl) {
    body.server = { url: after.serverUrl, ...(after.serverTimeout ? { timeoutSeconds: after.serverTimeout } : {}) };
    line('Server URL', serverText);
  }
  if (fallbackText(before) !== fallbackText(after) && after.fallback) {
    body.fallbackDestination = destinationOf(after.fallback);
    line('Fallback destination', fallbackText);
  }
  if (JSON.stringify(hooksOf(before)) !== JSON.stringify(hooksOf(after))) {
    body.hooks = hooksOf(after);
    line('When a call rings', ringingText);
    line('When the assistant-request fails', endingText);
  }
  return { change: { backend: 'vapi', body }, lines };
}

function handlerText(handler: string | undefined, to: string | undefined): string {
  if (!handler) return 'nothing set';
  return `${handlerLabels[handler] ?? handler}${to ? ` ${to}` : ''}`;
}

function signalWireChange(before: SignalWireSettings, after: SignalWireSettings): { change: ChangeBody; lines: ChangeLine[] } {
  const body: SignalWireHandlerBody = {};
  const lines: ChangeLine[] = [];
  const calls = [handlerText(before.callHandler, before.callTo), handlerText(after.callHandler, after.callTo)] as const;
  if (calls[0] !== calls[1] && after.callHandler && after.callTo) {
    body.call_handler = after.callHandler;
    body[signalWireCallHandlers[after.callHandler as keyof typeof signalWireCallHandlers]] = after.callTo;
    lines.push({ label: 'Calls answered by', before: calls[0], after: calls[1] });
  }
  const texts = [handlerText(before.messageHandler, before.messageTo), handlerText(after.messageHandler, after.messageTo)] as const;
  if (texts[0] !== texts[1] && after.messageHandler && after.messageTo) {
    body.message_handler = after.messageHandler;
    body[signalWireMessageHandlers[after.messageHandler as keyof typeof signalWireMessageHandlers]] = after.messageTo;
    lines.push({ label: 'Texts answered by', before: texts[0], after: texts[1] });
  }
  return { change: { backend: 'signalwire', body }, lines };
}

/** What answers calls or texts, in words, for the number's row. */
export function handlerSummary(settings: SignalWireSettings): { calls: string; texts: string } {
  return { calls: handlerText(settings.callHandler, settings.callTo), texts: handlerText(settings.messageHandler, settings.messageTo) };
}
