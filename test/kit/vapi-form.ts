import { eventually, type Harness } from './harness.js';
import type { EmulatedView } from './slack-emulator.js';
import type { Actor } from './slack-sender.js';

/** The `/phone sip` form's choices, by action id: each one's block dispatches its change, and the app redraws the form. */
export const vapiFormChoices = {
  kind: 'numbers.sip.kind',
  login: 'numbers.sip.login',
  answeredBy: 'numbers.sip.answered_by',
  more: 'numbers.sip.more',
} as const;

export interface VapiFormChoices {
  kind?: 'free' | 'sip';
  login?: boolean;
  answeredBy?: 'assistant' | 'squad' | 'workflow' | 'server';
  more?: boolean;
}

/**
 * Uses an element of an open form as a person would — `value` is the new choice (none for a
 * button) and `typed` what the inputs hold at that moment — and returns the form as the app then drew it.
 */
export async function useInForm(
  h: Harness,
  view: EmulatedView,
  actionId: string,
  actor: Actor,
  { value, typed = {} }: { value?: unknown; typed?: Record<string, unknown> } = {},
): Promise<EmulatedView> {
  await h.slack.clickButton({ view }, actionId, actor, value === undefined ? typed : { ...typed, [actionId]: value });
  return eventually(
    () => {
      const current = h.emulator.views.get(view.id);
      return current && current.hash !== view.hash ? current : undefined;
    },
    { message: `the form drawn again after ${actionId}` },
  );
}

/** Opens `/phone sip` and makes these choices through the form's own actions; returns the form as drawn for them. */
export async function openVapiForm(h: Harness, actor: Actor, choices: VapiFormChoices = {}): Promise<EmulatedView> {
  let view = await h.openModal('/phone', 'sip', 'numbers.sip', actor);
  if (choices.kind === 'sip') view = await useInForm(h, view, vapiFormChoices.kind, actor, { value: 'sip' });
  if (choices.login) view = await useInForm(h, view, vapiFormChoices.login, actor, { value: ['on'] });
  if (choices.answeredBy && choices.answeredBy !== 'assistant') {
    view = await useInForm(h, view, vapiFormChoices.answeredBy, actor, { value: choices.answeredBy });
  }
  if (choices.more) view = await useInForm(h, view, vapiFormChoices.more, actor);
  return view;
}
