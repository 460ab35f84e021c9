import type { Button } from '@slack/types';
import { button } from '../../slack/blocks.js';

/**
 * The delivery feature's action ids and its button. Other features put the button beside their
 * routes and endpoints, so these live apart from the feature's code.
 */
export const deliveryActions = {
  /** Test through Novu; the value is the endpoint's identifier. Suffixed `:n` where several share a view. */
  test: 'delivery.test',
  /** Runs the delivery check (App Home). */
  check: 'delivery.check',
  /** A fix from the delivery check; the value says which. */
  fix: 'delivery.fix',
  /** Replaces a subscriber's phone in Novu after asking; the value names the endpoint. */
  setPhone: 'delivery.phone.set',
} as const;

/** Matches an action id and its `:n` suffixes. */
export const withSuffixes = (actionId: string) => new RegExp(`^${actionId.replace(/\./g, '\\.')}(:.+)?$`);

/** Test through Novu, for one route or endpoint (`suffix` keeps action ids apart where several share a view). */
export function testButton(identifier: string, suffix?: string | number): Button {
  return button('Test through Novu', suffix === undefined ? deliveryActions.test : `${deliveryActions.test}:${suffix}`, { value: identifier });
}
